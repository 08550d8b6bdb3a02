using System.Text.RegularExpressions;
using System.Xml.Linq;
using BioXBridge.Notebooks.Tests.Harness;
using Xunit;

namespace BioXBridge.Notebooks.Tests;

/// <summary>Cheap checks that keep the notebooks in step with the build: pinned versions and the documented setup cell.</summary>
public sealed class NotebookConsistencyTests
{
    static readonly Regex NugetDirective = new("#r\\s+\\\"nuget:\\s*([^,\\\"]+?)\\s*,\\s*([^\\\"]+?)\\s*\\\"", RegexOptions.Compiled);

    /// <summary>Central package versions (Directory.Packages.props), with $(Property) values from Directory.Build.props.</summary>
    internal static Dictionary<string, string> CentralVersions()
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants()
            .Where(e => !e.HasElements && e.Parent?.Name.LocalName == "PropertyGroup")
            .GroupBy(e => e.Name.LocalName).ToDictionary(g => g.Key, g => g.First().Value.Trim());
        return XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!,
                e => Regex.Replace((string)e.Attribute("Version")!, @"\$\((\w+)\)", m => props.GetValueOrDefault(m.Groups[1].Value, m.Value)),
                StringComparer.OrdinalIgnoreCase);
    }

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var n in RepoPaths.NotebookFiles()) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Nuget_pins_match_Directory_Packages_props(string file)
    {
        var central = CentralVersions();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Notebooks, file)).Replace("\\\"", "\"");
        var pins = NugetDirective.Matches(text).Select(m => (Id: m.Groups[1].Value, Version: m.Groups[2].Value)).ToList();
        Assert.NotEmpty(pins);
        foreach (var (id, version) in pins)
        {
            // the local package is versioned by its contents; notebooks take whichever build artifacts/packages holds
            if (id == "BioXBridge.Interactive") { Assert.Equal("*-*", version); continue; }
            Assert.True(central.TryGetValue(id, out var expected), $"{file}: {id} is not in Directory.Packages.props");
            Assert.True(expected == version, $"{file}: #r \"nuget: {id}, {version}\" but Directory.Packages.props has {expected}");
        }
    }

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var n in RepoPaths.NotebookFiles()) data.Add(n);
        return data;
    }

    /// <summary>Every notebook loads the library the same way: the README's setup cell, verbatim.</summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Setup_cell_is_the_one_documented_in_the_README(string notebook) =>
        Assert.Equal(SetupCell.FromReadme(), SetupCell.FromNotebook(Path.Combine(RepoPaths.Notebooks, notebook)));

    /// <summary>nbformat 4.5 gives every cell an id; Jupyter warns about a missing one now and will refuse it later.</summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_cell_has_its_own_id(string notebook)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Notebooks, notebook)));
        var ids = doc.RootElement.GetProperty("cells").EnumerateArray()
            .Select((c, i) => c.TryGetProperty("id", out var id) ? id.GetString()! : $"(cell {i + 1} has no id)").ToList();
        Assert.DoesNotContain(ids, id => id.StartsWith("(cell"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    /// <summary>Notebooks are committed without outputs (docs/notebooks/ holds the executed exports).</summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Committed_without_outputs(string notebook)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Notebooks, notebook)));
        foreach (var (cell, i) in doc.RootElement.GetProperty("cells").EnumerateArray().Select((c, i) => (c, i + 1)))
            if (cell.TryGetProperty("outputs", out var outputs))
                Assert.True(outputs.GetArrayLength() == 0, $"{notebook}: cell {i} has saved outputs; clear them (notebooks/README.md)");
    }
}
