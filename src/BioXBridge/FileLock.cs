namespace BioXBridge;

/// <summary>
/// An exclusive lock on a file (a FileStream opened without sharing: an flock on Linux, which NFSv4 and cluster file
/// systems honour). The operating system releases it when the holder ends, however it ends, so a killed process leaves no
/// stale lock. Sweep points are claimed with it, and cached weights are trained under it.
/// </summary>
public static class FileLock
{
    /// <summary>The lock, or null when another holder has it. Dispose to release.</summary>
    public static FileStream? TryTake(string path)
    {
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) when (File.Exists(path)) { return null; }
    }

    /// <summary>Waits (polling every second, a day at most) until the lock is free and takes it; <paramref name="waiting"/> is told once.</summary>
    public static FileStream Take(string path, Action? waiting = null)
    {
        for (int waited = 0; ; waited++)
        {
            if (TryTake(path) is { } held) return held;
            if (waited == 0) waiting?.Invoke();
            if (waited == 24 * 3600) throw new IOException($"{path}: still locked by another process after a day");
            Thread.Sleep(1000);
        }
    }

    /// <summary>Whether another holder has the lock now (a missing file is free).</summary>
    public static bool Held(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryTake(path);
        return probe is null;
    }
}
