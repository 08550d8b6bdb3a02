namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>Locations in the repository, found by walking up from the test binaries to the folder with BioXBridge.sln.</summary>
public static class RepoPaths
{
    static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;
    public static string Notebooks => Path.Combine(Root, "notebooks");
    public static string NotebookLib => Path.Combine(Root, "artifacts", "lib");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BioXBridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"BioXBridge.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>notebooks/*.ipynb, sorted, as file names.</summary>
    public static IReadOnlyList<string> NotebookFiles() =>
        Directory.Exists(Notebooks)
            ? Directory.GetFiles(Notebooks, "*.ipynb").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList()!
            : Array.Empty<string>();
}
