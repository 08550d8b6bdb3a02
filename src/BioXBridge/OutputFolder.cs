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
        var staging = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.partial-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            if (Directory.Exists(full)) Directory.Delete(full); // empty, checked above
            Directory.Move(staging, full);
            return full;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
