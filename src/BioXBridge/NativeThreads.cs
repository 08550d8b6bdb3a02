using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BioXBridge;

/// <summary>
/// Keeps MKL, libtorch's BLAS, on one thread unless the user says otherwise. Without <c>MKL_NUM_THREADS=1</c> in the
/// process's environment, identical trainings on this machine kind ended with NaN losses at random epochs whenever the
/// CPU was also busy with something else (8 of 22 teacher trainings under load, torch's own thread count at 1), and
/// never with it (0 of 26). Only a variable present when the process starts was seen to prevent it: setting it from
/// inside the process (<see cref="Configure"/>, done when the library loads) still let 2 of 10 runs diverge. So the CLI
/// restarts itself with the variable set (<see cref="StartedWithout"/>), CI exports it, and notebook users export it
/// before starting Jupyter (notebooks/README.md). torch's intra-op threads (<c>--threads</c>) parallelise the rest.
/// </summary>
public static class NativeThreads
{
    public const string Variable = "MKL_NUM_THREADS";

    /// <summary>Whether the process started without the variable (a front end that can should restart with it).</summary>
    public static bool StartedWithout { get; } = !OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(Variable) is null;

    // a library module initializer on purpose: whichever front end loads the library (CLI, notebook, test host), the
    // variable must be set before the first torch call, and nothing else runs early enough in all of them
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "see the comment above")]
    internal static void OnLoad() => Configure();

    /// <summary>Sets MKL_NUM_THREADS=1 in the native environment unless it is set. Best effort; idempotent.</summary>
    public static void Configure()
    {
        if (!StartedWithout || Environment.GetEnvironmentVariable(Variable) is not null) return;
        setenv(Variable, "1", 0);
        Environment.SetEnvironmentVariable(Variable, "1");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);
}
