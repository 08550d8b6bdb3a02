using System.Globalization;
using System.Text.Json;
using BioXBridge.Models;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge models info|convert|manifest-keys</c>: the registered foundation models, and the one-off conversion of
/// a published upstream checkpoint into a clean safetensors file that <see cref="StrictLoader"/> loads.
/// </summary>
public static class ModelsCommand
{
    public const string About =
        "Foundation-model weights: 'models info' lists the registered models with their parameter counts;\n" +
        "'models convert' turns a published upstream checkpoint into a clean safetensors file following its manifest\n" +
        "(data-manifests/models/); 'models manifest-keys' prints the tensors a C# port expects.";

    private static readonly Dictionary<string, (string About, OptionSpec[] Options, Func<string, CliArgs, int> Run)> Sub = new()
    {
        ["info"] = ("One line per registered model: name, parameter count at full size, and what the count includes.",
                    [new("help", null, "show this help")], (_, _) => Info()),
        ["convert"] = ("Converts an upstream checkpoint as published (torch.save zip: nested dict, prefixes, weight-norm\n" +
                       "styles, extra non-tensor entries) into safetensors with the C# module's key names, checked against the\n" +
                       "manifest's expected tensors (or the registered model's). Never overwrites; writes to a temporary file first.",
                       [new("manifest", "NAME|PATH", "manifest name (labram-base, hubert-ecg-small, papagei-s, normwear) or path to a manifest JSON"),
                        new("in", "FILE", "the checkpoint as downloaded (.pt/.pth zip, or .safetensors)"),
                        new("out", "FILE", "safetensors file to create (must not exist)"),
                        new("help", null, "show this help")], Convert),
        ["manifest-keys"] = ("Prints the expected_tensors list (name, shape, dtype) of a registered model's C# port at full size;\n" +
                             "with --write, stores it into the model's manifest file.",
                             [new("model", "NAME", "registered model name (see 'bioxbridge models info')"),
                              new("write", null, "update expected_tensors in data-manifests/models/<model>.json"),
                              new("help", null, "show this help")], ManifestKeys),
    };

    /// <summary>Entry point from Program: <paramref name="args"/> are the words after <c>models</c>.</summary>
    public static int Dispatch(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.WriteLine("Usage: bioxbridge models <info|convert|manifest-keys> [options]\n\n" + About +
                              "\n\nSub-commands:\n" + string.Join("\n", Sub.Select(s => $"  {s.Key,-14} {s.Value.About.Split('\n')[0]}")) +
                              "\n\nRun 'bioxbridge models <sub-command> --help' for its options.");
            return 0;
        }
        if (!Sub.TryGetValue(args[0], out var sub))
            throw new UsageException($"models: unknown sub-command '{args[0]}'. Sub-commands: {string.Join(", ", Sub.Keys)}. See 'bioxbridge models --help'.");
        var name = "models " + args[0];
        return CliArgs.Run(name, args[1..], sub.Options, sub.About, parsed => sub.Run(name, parsed));
    }

    private static int Info()
    {
        foreach (var e in ModelZoo.All)
        {
            long count;
            using (var m = e.Full()) count = ZooEntry.CountParameters(m);
            Console.WriteLine($"{e.Name,-18} {count.ToString("N0", CultureInfo.InvariantCulture),12} parameters  {e.DisplayName}; counts the {e.CountIncludes}");
        }
        return 0;
    }

    private static string Required(string command, CliArgs a, string option) =>
        a.String(option) ?? throw new UsageException($"{command}: option '--{option}' is required. See 'bioxbridge {command} --help'.");

    private static int Convert(string command, CliArgs a)
    {
        var manifestArg = Required(command, a, "manifest");
        var input = Required(command, a, "in");
        var output = Required(command, a, "out");
        if (File.Exists(output)) throw new IOException($"--out {output}: already exists; not overwriting it (choose another --out or delete it)");
        if (!File.Exists(input)) throw new IOException($"--in {input}: file not found");
        ModelManifest manifest;
        try { manifest = ModelManifest.Find(manifestArg); }
        catch (FileNotFoundException e) { throw new UsageException($"{command}: {e.Message}"); }
        IReadOnlyList<ExpectedTensor>? expected = manifest.ExpectedTensors;
        if (expected is null && ModelZoo.Find(manifest.Name) is { } entry)
            using (var m = entry.Full()) expected = StrictLoader.Expected(m);
        var report = CheckpointConverter.Convert(manifest, input, output, expected);
        Console.WriteLine(report.Summary());
        return 0;
    }

    private static int ManifestKeys(string command, CliArgs a)
    {
        var name = Required(command, a, "model");
        var entry = ModelZoo.Find(name) ?? throw new UsageException(
            $"{command}: unknown model '{name}'. Registered: {string.Join(", ", ModelZoo.All.Select(e => e.Name))}");
        List<ExpectedTensor> expected;
        using (var m = entry.Full()) expected = StrictLoader.Expected(m);
        if (!a.Has("write"))
        {
            Console.WriteLine(JsonSerializer.Serialize(expected, ModelManifest.Json));
            return 0;
        }
        var path = ModelManifest.Locate(entry.Name) ?? throw new IOException($"data-manifests/models/{entry.ManifestFile} not found above {Environment.CurrentDirectory}");
        var updated = ModelManifest.Load(path) with { ExpectedTensors = expected };
        var tmp = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(tmp, updated.ToJson());
        File.Move(tmp, path, overwrite: true);
        Console.WriteLine($"{path}: expected_tensors = {expected.Count} tensors");
        return 0;
    }
}
