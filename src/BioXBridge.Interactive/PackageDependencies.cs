using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;

namespace BioXBridge.Interactive;

/// <summary>
/// Lets the library find the assemblies of the packages it depends on when it was loaded from the local notebook
/// package (<c>#r "nuget: BioXBridge.Interactive, *-*"</c>). The dotnet-interactive tool that Jupyter and VS Code run
/// ships older copies of some of them in its own folder (JsonSchema.Net 7, Json.More.Net, JsonPointer.Net), which hold
/// those names in the default load context; a library needing version 8 then fails with
/// <see cref="FileNotFoundException"/> unless the cell named the package itself, as the longer setup cell does. The
/// package carries the build's <c>.deps.json</c>, the graph <c>dotnet</c> uses for an application, and this resolver
/// reads it: each package assembly lies in the same NuGet global packages folder as this package. Where the kernel's
/// older copy holds the name, the newer one loads beside it in a load context of its own.
/// </summary>
static class PackageDependencies
{
    /// <summary>The kernel brings its own .NET Interactive; its packages are not ours to load.</summary>
    const string KernelPackage = "Microsoft.DotNet.Interactive";

    static string? _installed;

    /// <summary>
    /// Installs the resolver once per process (callers hold <see cref="NotebookSetup"/>'s lock); returns its status line,
    /// the same on every call, or null when there is nothing to do.
    /// </summary>
    public static string? Install()
    {
        if (_installed is not null) return _installed;
        var self = typeof(PackageDependencies).Assembly.Location;
        var deps = Path.ChangeExtension(self, ".deps.json");
        // loaded from artifacts/lib by the longer setup cell, which names every package itself
        if (!File.Exists(deps)) return null;

        // <packages>/bioxbridge.interactive/<version>/lib/<tfm>/BioXBridge.Interactive.dll
        var packages = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(self)!, "..", "..", "..", ".."));
        // a package the restore did not bring (another TFM's asset, a cleared cache) is left to the kernel
        var paths = AssemblyPaths(deps, packages).Where(p => File.Exists(p.Value)).ToDictionary(StringComparer.OrdinalIgnoreCase);
        var beside = new Lazy<AssemblyLoadContext>(() => new BesideTheKernel(paths));
        AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
        {
            var wanted = new AssemblyName(e.Name);
            if (wanted.Name is not { } name || !paths.TryGetValue(name, out var path)) return null;
            var loaded = AppDomain.CurrentDomain.GetAssemblies()
                .FirstOrDefault(a => a.GetName() is var n && n.Name == name && n.Version >= wanted.Version);
            if (loaded is not null) return loaded;
            try { return AssemblyLoadContext.Default.LoadFromAssemblyPath(path); }
            catch (FileLoadException) { return beside.Value.LoadFromAssemblyPath(path); }
        };
        return _installed = $"ok: {paths.Count} package assemblies resolvable from {packages}";
    }

    /// <summary>Holds the newer copies; what they need comes from the same package graph, not from the kernel's folder.</summary>
    sealed class BesideTheKernel(Dictionary<string, string> paths) : AssemblyLoadContext("BioXBridge package dependencies")
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name is { } n && paths.TryGetValue(n, out var path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// Assembly name → file for every package this one depends on, directly or not, less the kernel's own; the walk
    /// starts from this project's entry in the deps file (its "dependencies"), as the runtime host would.
    /// </summary>
    internal static Dictionary<string, string> AssemblyPaths(string depsFile, string packagesFolder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(depsFile));
        var target = doc.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var libraries = doc.RootElement.GetProperty("libraries");
        var self = typeof(PackageDependencies).Assembly.GetName().Name + "/";
        var start = target.EnumerateObject().First(p => p.Name.StartsWith(self, StringComparison.Ordinal)).Name;

        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>([start]);
        while (pending.TryPop(out var key))
        {
            if (!seen.Add(key) || !target.TryGetProperty(key, out var entry)) continue;
            if (entry.TryGetProperty("dependencies", out var dependencies))
                foreach (var d in dependencies.EnumerateObject())
                    if (d.Name != KernelPackage) pending.Push($"{d.Name}/{d.Value.GetString()}");
            var library = libraries.GetProperty(key);
            if (library.GetProperty("type").GetString() != "package" || !entry.TryGetProperty("runtime", out var runtime)) continue;
            var root = Path.Combine(packagesFolder, library.GetProperty("path").GetString()!);
            foreach (var file in runtime.EnumerateObject())
                paths[Path.GetFileNameWithoutExtension(file.Name)] = Path.Combine(root, file.Name);
        }
        return paths;
    }
}
