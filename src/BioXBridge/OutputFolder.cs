namespace BioXBridge;

/// <summary>
/// Creates an output folder all at once: files are written into a hidden staging sibling that is renamed into place
/// only when complete, so a reader never sees half a run, figure set or prepared dataset, and nothing is overwritten.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Fills a new folder at <paramref name="dir"/> (it may exist if empty) through <paramref name="fill"/>, which gets
    /// the staging path. <paramref name="what"/> names the contents in the error for an occupied folder.
    /// </summary>
    public static string Create(string dir, string what, Action<string> fill)
    {
        var full = Path.GetFullPath(dir);
        if (File.Exists(full) || Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new IOException($"{dir}: exists and is not an empty folder; {what} go to a new folder");
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        RemoveAbandoned(parent, Path.GetFileName(full));
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Environment.MachineName}-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            // another process may have filled the folder while this one worked: its result stays, this one is dropped
            if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
                throw new IOException($"{dir}: another process wrote {what} here while this one ran; nothing was overwritten and this output was discarded");
            if (Directory.Exists(full)) Directory.Delete(full);
            Directory.Move(staging, full);
            return full;
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Writes one file whole or not at all: a hidden temporary name beside it, then a rename. Without
    /// <paramref name="overwrite"/> an existing file is an error and stays as it was.
    /// </summary>
    public static void WriteFile(string path, string text, bool overwrite = true)
    {
        var tmp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(tmp, text);
        try { File.Move(tmp, path, overwrite); }
        catch (IOException) { File.Delete(tmp); throw; }
    }

    /// <summary>
    /// Deletes the staging folders that processes of this machine left when they were killed (their id is no longer
    /// running), so a rerun after a crash leaves no litter. Other machines' staging (a shared file system) is left alone.
    /// </summary>
    private static void RemoveAbandoned(string parent, string name)
    {
        var prefix = $".{name}.partial-{Environment.MachineName}-";
        foreach (var old in Directory.EnumerateDirectories(parent, prefix + "*"))
            if (int.TryParse(Path.GetFileName(old)[prefix.Length..], out var pid) && pid != Environment.ProcessId && !Running(pid))
                try { Directory.Delete(old, recursive: true); } catch (IOException) { } // another cleaner got there first
    }

    private static bool Running(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
