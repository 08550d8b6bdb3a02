using System.Text.Json;
using System.Text.RegularExpressions;

namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>The notebooks' setup cells, as documented in notebooks/README.md.</summary>
public static class SetupCell
{
    /// <summary>The setup cell every notebook starts with: the README's first ```csharp block with #r "nuget: lines.</summary>
    public static string FromReadme() => ReadmeBlock("#r \"nuget:");

    /// <summary>The longer cell the README keeps as the fallback: its first ```csharp block with #r of a dll path.</summary>
    public static string Fallback() => ReadmeBlock("#r \"../artifacts/lib/");

    static string ReadmeBlock(string containing)
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Notebooks, "README.md")).Replace("\r\n", "\n");
        foreach (Match m in Regex.Matches(readme, "```(?:csharp|cs|c#)\n(.*?)```", RegexOptions.Singleline))
            if (m.Groups[1].Value.Contains(containing, StringComparison.Ordinal))
                return m.Groups[1].Value.TrimEnd('\n');
        throw new InvalidOperationException($"notebooks/README.md has no ```csharp block with {containing} lines");
    }

    /// <summary>The first code cell of a .ipynb that contains #r "nuget: lines, or null.</summary>
    public static string? FromNotebook(string ipynbPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ipynbPath));
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.GetProperty("cell_type").GetString() != "code") continue;
            var src = cell.GetProperty("source");
            var text = src.ValueKind == JsonValueKind.Array
                ? string.Concat(src.EnumerateArray().Select(l => l.GetString()))
                : src.GetString() ?? "";
            text = text.Replace("\r\n", "\n");
            if (text.Contains("#r \"nuget:", StringComparison.Ordinal)) return text.TrimEnd('\n');
        }
        return null;
    }
}
