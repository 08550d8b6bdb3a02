using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using BioXBridge.Notebooks.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace BioXBridge.Notebooks.Tests;

/// <summary>
/// The notebooks' one-line setup: the local package the build makes (artifacts/packages) holds this build's assemblies
/// and depends on every package they use, a kernel started in notebooks/ loads the library from it, and the longer cell
/// documented as the fallback names the same packages and still works.
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class NotebookPackageTests(ITestOutputHelper output)
{
    static readonly string[] Assemblies = ["BioXBridge.dll", "BioXBridge.Reports.dll", "BioXBridge.Interactive.dll"];

    /// <summary>What the three projects reference (less what they keep private), and the CPU backend's libtorch.</summary>
    static SortedSet<string> PackagesTheLibrariesUse()
    {
        var ids = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { "libtorch-cpu-linux-x64" };
        foreach (var project in new[] { "BioXBridge", "BioXBridge.Reports", "BioXBridge.Interactive" })
            foreach (var r in XDocument.Load(Path.Combine(RepoPaths.Root, "src", project, project + ".csproj")).Descendants("PackageReference"))
                if ((string?)r.Attribute("PrivateAssets") != "all") ids.Add((string)r.Attribute("Include")!);
        return ids;
    }

    static string ThePackage()
    {
        var dir = Path.Combine(RepoPaths.Root, "artifacts", "packages");
        return Assert.Single(Directory.GetFiles(dir, "BioXBridge.Interactive.*.nupkg"));
    }

    [Fact]
    public void The_package_holds_this_builds_assemblies_and_depends_on_every_package_they_use()
    {
        var path = ThePackage();
        using var zip = ZipFile.OpenRead(path);
        foreach (var name in Assemblies)
        {
            var entry = zip.GetEntry("lib/net10.0/" + name);
            Assert.True(entry is not null, $"{Path.GetFileName(path)} lacks lib/net10.0/{name}");
            using var s = entry.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            Assert.True(m.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(RepoPaths.NotebookLib, name))),
                $"{name} in the package differs from artifacts/lib/{name}: the package is from another build");
        }

        using var nuspecStream = zip.GetEntry("BioXBridge.Interactive.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var version = nuspec.Descendants(ns + "version").Single().Value;
        Assert.Matches(@"^\d+\.\d+\.\d+-local-[0-9a-f]{12}$", version);
        Assert.Equal($"BioXBridge.Interactive.{version}.nupkg", Path.GetFileName(path));

        var dependencies = nuspec.Descendants(ns + "dependency")
            .ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(PackagesTheLibrariesUse(), new SortedSet<string>(dependencies.Keys, StringComparer.OrdinalIgnoreCase));
        var central = NotebookConsistencyTests.CentralVersions();
        foreach (var (id, v) in dependencies) Assert.True(central[id] == v, $"the package depends on {id} {v}; Directory.Packages.props has {central[id]}");
    }

    [Fact]
    public void The_longer_cell_names_the_packages_the_package_depends_on()
    {
        var ids = Regex.Matches(SetupCell.Fallback(), "#r \"nuget: ([^,\"]+),").Select(m => m.Groups[1].Value);
        Assert.Equal(PackagesTheLibrariesUse(), new SortedSet<string>(ids, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The dependency graph the package carries, read by the package's own resolver (PackageDependencies, for kernels
    /// whose older copies hold a name, as the dotnet-interactive tool's JsonSchema.Net 7 does): every package assembly
    /// the library needs lies at the pinned version in the kernel's package folder, and none of the kernel's own.
    /// </summary>
    [Fact]
    public async Task The_package_finds_each_dependency_at_its_pinned_version_and_leaves_the_kernels_own_alone()
    {
        using var nb = TempNotebook.Create("setup-resolver.ipynb",
            ("code", SetupCell.FromReadme()),
            ("code", """
                using System.IO;
                var dll = typeof(BioXBridge.Interactive.NotebookSetup).Assembly.Location;
                var packages = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dll)!, "..", "..", "..", ".."));
                var paths = (Dictionary<string, string>)typeof(BioXBridge.Interactive.NotebookSetup).Assembly
                    .GetType("BioXBridge.Interactive.PackageDependencies", true)!
                    .GetMethod("AssemblyPaths", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .Invoke(null, new object[] { Path.ChangeExtension(dll, ".deps.json"), packages })!;
                foreach (var (name, path) in paths.OrderBy(p => p.Key, StringComparer.Ordinal))
                    Console.WriteLine($"{name} {Path.GetRelativePath(packages, path)} {File.Exists(path)}");
                Console.WriteLine(string.Join("\n", BioXBridge.Interactive.NotebookSetup.Status));
                """));
        var run = await NotebookRunner.RunAsync(nb.Path, workingDirectory: RepoPaths.Notebooks);
        Assert.True(run.Succeeded, run.FailureMessage());
        var lines = run.Cells[1].Stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        output.WriteLine(string.Join("\n", lines));

        var assemblies = lines.Where(l => l.EndsWith(" True") || l.EndsWith(" False")).Select(l => l.Split(' ')).ToList();
        Assert.All(assemblies, a => Assert.True(a[2] == "True", $"{a[1]} is not in the package folder"));
        var central = NotebookConsistencyTests.CentralVersions();
        foreach (var (name, package, file) in new[]
                 {
                     ("JsonSchema.Net", "JsonSchema.Net", "lib/net9.0/JsonSchema.Net.dll"),
                     ("TorchSharp", "TorchSharp", "lib/net8.0/TorchSharp.dll"),
                     ("SharpCompress", "SharpCompress", "lib/net10.0/SharpCompress.dll"),
                     ("FSharp.Core", "FSharp.Core", "lib/netstandard2.1/FSharp.Core.dll"),
                 })
            Assert.Contains(new[] { name, $"{package.ToLowerInvariant()}/{central[package]}/{file}", "True" }, assemblies);
        Assert.DoesNotContain(assemblies, a => a[0].StartsWith("Microsoft.DotNet.Interactive") || a[0].StartsWith("Microsoft.CodeAnalysis"));
        Assert.Contains($"ok: {assemblies.Count} package assemblies resolvable from", string.Join("\n", lines));
    }

    public static TheoryData<string> Cells() => new() { "package", "longer" };

    /// <summary>
    /// Each cell, run from notebooks/ in a fresh kernel: the library loads, from where the cell says, and finds a
    /// package no cell names. The test host holds none of the library's assemblies or packages (see the project file),
    /// so they can only come from the cell.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cells))]
    public async Task A_kernel_started_in_the_notebooks_folder_loads_the_library_from_the_cell(string cell)
    {
        // the kernel runs in this process: once one cell has loaded the library, the next kernel gets the same assembly
        var firstLoad = !AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "BioXBridge");
        using var nb = TempNotebook.Create($"setup-{cell}.ipynb",
            ("code", cell == "package" ? SetupCell.FromReadme() : SetupCell.Fallback()),
            ("code", "Console.WriteLine(typeof(BioXBridge.Models.Nnpack).Assembly.Location);\n"
                     + "Console.WriteLine(TorchSharp.torch.arange(4).sum().item<long>());\n"
                     // needs JsonSchema.Net, which the one-line cell does not name
                     + "Console.WriteLine(BioXBridge.Experiments.DirectionFiles.Load(\"synwesad-ppg-to-ecg\").Name);"));
        var run = await NotebookRunner.RunAsync(nb.Path, workingDirectory: RepoPaths.Notebooks);
        output.WriteLine(run.Summary());
        Assert.True(run.Succeeded, run.FailureMessage());

        var lines = run.Cells[1].Stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("6", lines[1].Trim());
        Assert.Equal("synwesad-ppg-to-ecg", lines[2].Trim());
        var location = lines[0].Trim();
        Assert.True(File.ReadAllBytes(location).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(RepoPaths.NotebookLib, "BioXBridge.dll"))),
            $"the kernel loaded {location}, not this build's library");
        var expected = cell == "package"
            ? Path.Combine("bioxbridge.interactive", Regex.Match(Path.GetFileName(ThePackage()), @"BioXBridge\.Interactive\.(.+)\.nupkg").Groups[1].Value, "lib")
            : Path.Combine("artifacts", "lib");
        if (firstLoad) Assert.Contains(expected, location);
    }
}
