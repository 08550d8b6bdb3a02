namespace BioXBridge;

/// <summary>
/// Keeps freed native memory in the process instead of handing it back to the kernel after every step. libtorch
/// allocates each tensor with glibc malloc; by default glibc serves large blocks with fresh mmaps and trims the heap
/// whenever its top is free, so every training step and every batch of a cached pass faults its pages in anew. On the
/// build machines (virtual machines, where a page fault is costly) a full-size ISRUC bridge benchmark took 1.47 M page
/// faults and 85 s; with <see cref="Value"/> 0.58 M and 60 s, and its epochs ran up to 2× faster. glibc reads the
/// variable only when a process starts, so the CLI restarts itself with it (as with <see cref="NativeThreads"/>) and
/// notebook users export it before starting Jupyter. A value the user set is left alone.
/// </summary>
public static class NativeMemory
{
    public const string Variable = "GLIBC_TUNABLES";

    /// <summary>
    /// Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap and are reused; the heap grows 256 MiB at
    /// a time and is not trimmed below 16 GiB, so a process keeps what it has needed until it ends.
    /// </summary>
    public const string Value = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184:glibc.malloc.top_pad=268435456";

    /// <summary>Whether the process started without the variable (a front end that can should restart with it).</summary>
    public static bool StartedWithout { get; } = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null;
}
