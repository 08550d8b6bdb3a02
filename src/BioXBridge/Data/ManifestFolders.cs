namespace BioXBridge.Data;

/// <summary>
/// Finds <c>data-manifests/&lt;kind&gt;/</c> (models, datasets, splits) above the working directory or the program, so
/// manifests resolve by name from a clone, from its build output and from notebooks alike.
/// </summary>
public static class ManifestFolders
{
    /// <summary>The nearest <c>data-manifests/&lt;kind&gt;</c> folder, or null.</summary>
    public static string? Folder(string kind)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var folder = Path.Combine(dir.FullName, "data-manifests", kind);
                if (Directory.Exists(folder)) return folder;
            }
        return null;
    }

    /// <summary>Path of manifest <paramref name="name"/> of that kind; null for a path-like name or when absent.</summary>
    public static string? Locate(string kind, string name)
    {
        if (name.IndexOfAny(['/', '\\']) >= 0 || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data-manifests", kind, name + ".json");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Names of the manifests in the nearest folder of that kind (for messages).</summary>
    public static IReadOnlyList<string> Available(string kind) =>
        Folder(kind) is string folder
            ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
}
