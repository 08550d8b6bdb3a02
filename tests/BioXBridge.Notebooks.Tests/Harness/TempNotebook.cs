using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>Writes small .ipynb files (nbformat 4.5, .NET Interactive C# metadata) for harness tests; deleted on Dispose.</summary>
public sealed class TempNotebook : IDisposable
{
    readonly string _dir;

    public string Path { get; }

    TempNotebook(string name, IEnumerable<(string Kind, string Source)> cells)
    {
        _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bxb-nbtest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        Path = System.IO.Path.Combine(_dir, name);
        File.WriteAllText(Path, ToIpynb(cells));
    }

    /// <summary>Cells as ("markdown" | "code", source).</summary>
    public static TempNotebook Create(string name, params (string Kind, string Source)[] cells) => new(name, cells);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public static string ToIpynb(IEnumerable<(string Kind, string Source)> cells)
    {
        var array = new JsonArray();
        int i = 0;
        foreach (var (kind, source) in cells)
        {
            var lines = new JsonArray(SplitKeepingNewlines(source).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
            var cell = new JsonObject { ["cell_type"] = kind, ["id"] = $"cell-{i++:D2}" };
            if (kind == "code")
            {
                cell["execution_count"] = null;
                cell["metadata"] = new JsonObject
                {
                    ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                    ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                };
                cell["outputs"] = new JsonArray();
            }
            else
            {
                cell["metadata"] = new JsonObject();
            }
            cell["source"] = lines;
            array.Add(cell);
        }
        var nb = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "C#" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return nb.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static IEnumerable<string> SplitKeepingNewlines(string s) =>
        Regex.Split(s.Replace("\r\n", "\n"), "(?<=\n)").Where(l => l.Length > 0);
}
