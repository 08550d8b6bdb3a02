using BioXBridge.Pickling;
using System.Text;
using System.Text.RegularExpressions;

namespace BioXBridge.Models;

/// <summary>What a conversion did: tensors written, dropped (with the rule), and non-tensor entries skipped.</summary>
public sealed record ConversionReport(string Input, string Output, string RootKey, int Written, long Parameters,
                                      IReadOnlyList<string> Dropped, IReadOnlyList<string> Renamed,
                                      IReadOnlyList<string> SkippedNonTensors, bool Checked)
{
    public string Summary() =>
        $"{Output}: {Written} tensors ({Parameters:N0} values) from {Input}" +
        (RootKey.Length > 0 ? $" [root key '{RootKey}']" : "") +
        $"; renamed {Renamed.Count}, dropped {Dropped.Count}, skipped {SkippedNonTensors.Count} non-tensor entries; " +
        (Checked ? "names, shapes and dtypes checked" : "NOT checked (no expected tensors; the loader checks against the module)");
}

/// <summary>
/// Turns an upstream checkpoint as published (torch.save zip, or safetensors) into a clean safetensors file whose keys
/// are the C# module's, following a <see cref="ModelManifest"/>.
/// </summary>
public static class CheckpointConverter
{
    private static readonly string[] DefaultRootKeys = ["model", "module", "model_state_dict", "state_dict"];

    /// <summary>
    /// Converts <paramref name="input"/> to <paramref name="output"/> (written to a temporary sibling, then renamed; an
    /// existing output is never replaced). Checks the result against <paramref name="expected"/> if given, else against
    /// the manifest's <c>expected_tensors</c> if present; every problem is listed in one InvalidDataException and
    /// nothing is written.
    /// </summary>
    public static ConversionReport Convert(ModelManifest manifest, string input, string output, IReadOnlyList<ExpectedTensor>? expected = null)
    {
        if (File.Exists(output)) throw new IOException($"{output}: already exists; not overwriting it (choose another --out or delete it)");
        var (tensors, rootKey, skipped) = ReadStateDict(input, manifest.Container.RootKeys);
        var (mapped, dropped, renamed) = ApplyLayout(manifest.Container, tensors.Select(t => t.Key), input);
        var byKey = tensors.ToDictionary(t => t.Key, t => t.Value);
        var result = mapped.Select(m => new KeyValuePair<string, RawTensor>(m.Value, byKey[m.Key])).ToList();
        expected ??= manifest.ExpectedTensors;
        if (expected is not null) Check(input, manifest.Name, expected, result.Select(r => (r.Key, r.Value.Shape, r.Value.DType)));
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["bioxbridge_model"] = manifest.Name,
            ["source_file"] = Path.GetFileName(input),
        };
        SafetensorsFile.Write(output, result, meta);
        return new ConversionReport(input, output, rootKey, result.Count, result.Sum(r => r.Value.Numel), dropped, renamed, skipped, expected is not null);
    }

    /// <summary>
    /// Reads the flat state dict of a checkpoint: safetensors as is; torch.save zip from the first of
    /// <paramref name="rootKeys"/> present (or, with none given, the file itself if it holds tensors, else the first of
    /// model/module/model_state_dict/state_dict). Returns tensors in file order, the root key used and the skipped entries.
    /// </summary>
    public static (List<KeyValuePair<string, RawTensor>> Tensors, string RootKey, List<string> Skipped) ReadStateDict(string path, IReadOnlyList<string>? rootKeys = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        if (!TorchCheckpoint.LooksLikeZip(path) && !path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
            && !path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
            return (SafetensorsFile.Read(path).Tensors, "", []);
        using var ckpt = TorchCheckpoint.Open(path);
        var skipped = new List<string>();
        if (ckpt.Root is not PyDict root) throw new InvalidDataException($"{path}: top-level object is {Describe(ckpt.Root)}, not a dict");
        PyDict dict = root;
        string used = "";
        var keys = rootKeys is { Count: > 0 } ? rootKeys : HoldsTensors(root) ? [] : DefaultRootKeys;
        if (keys.Count > 0)
        {
            var hit = keys.FirstOrDefault(k => root.TryGet(k, out var v) && v is PyDict)
                ?? throw new InvalidDataException($"{path}: none of the root keys {string.Join(", ", keys.Select(k => $"'{k}'"))} holds a state dict; " +
                    (HoldsTensors(root) ? $"the file itself is a flat state dict of {root.Count} entries (first: '{root.Keys.First()}')"
                                        : $"top-level keys: {string.Join(", ", root.Keys.Take(10).Select(k => $"'{k}'"))}{(root.Count > 10 ? $", … ({root.Count} in all)" : "")}"));
            root.TryGet(hit, out var sd);
            dict = (PyDict)sd!;
            used = hit;
            skipped.AddRange(root.Keys.Where(k => !Equals(k, hit)).Select(k => $"{k} ({Describe(root.TryGet(k, out var v) ? v : null)})"));
        }
        var tensors = new List<KeyValuePair<string, RawTensor>>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is string name && value is TorchTensorRef t) tensors.Add(new(name, ckpt.ReadTensor(t)));
            else skipped.Add($"{(used.Length > 0 ? used + "/" : "")}{key} ({Describe(value)})");
        }
        if (tensors.Count == 0) throw new InvalidDataException($"{path}: no tensors found{(used.Length > 0 ? $" under '{used}'" : "")}");
        return (tensors, used, skipped);
    }

    private static bool HoldsTensors(PyDict d) => d.Items.Any(kv => kv.Value is TorchTensorRef);

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PyObject p => p.Type.ToString(),
        PyDict d => $"dict of {d.Count}",
        TorchTensorRef => "tensor",
        List<object?> l => $"list of {l.Count}",
        _ => o.GetType().Name,
    };

    /// <summary>Maps source keys to target keys (source → target, in order); also lists what was dropped and renamed.</summary>
    public static (List<KeyValuePair<string, string>> Mapped, List<string> Dropped, List<string> Renamed) ApplyLayout(ContainerLayout layout, IEnumerable<string> keys, string source)
    {
        var renames = layout.Renames.Select(r => (Regex: new Regex(r.Pattern, RegexOptions.CultureInvariant), r.Replacement)).ToList();
        var drops = layout.Drop.Select(d => new Regex(d, RegexOptions.CultureInvariant)).ToList();
        var mapped = new List<KeyValuePair<string, string>>();
        var dropped = new List<string>();
        var renamed = new List<string>();
        var seen = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            if (layout.KeepPrefixes.Count > 0 && !layout.KeepPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                dropped.Add($"{key} (not under {string.Join(" or ", layout.KeepPrefixes)})");
                continue;
            }
            var name = key;
            for (bool again = true; again;)
            {
                again = false;
                foreach (var p in layout.StripPrefixes)
                    if (p.Length > 0 && name.StartsWith(p, StringComparison.Ordinal)) { name = name[p.Length..]; again = true; }
            }
            var beforeRename = name;
            foreach (var (regex, replacement) in renames) name = regex.Replace(name, replacement);
            if (name != beforeRename) renamed.Add($"{beforeRename} → {name}");
            var drop = drops.FirstOrDefault(d => d.IsMatch(name));
            if (drop is not null)
            {
                dropped.Add($"{key} (matches {drop})");
                continue;
            }
            if (seen.TryGetValue(name, out var other))
                throw new InvalidDataException($"{source}: keys '{other}' and '{key}' both become '{name}' after the manifest's prefixes and renames");
            seen[name] = key;
            mapped.Add(new(key, name));
        }
        return (mapped, dropped, renamed);
    }

    /// <summary>
    /// Compares found tensors with expected ones; throws one InvalidDataException listing every missing, unexpected,
    /// shape- or dtype-mismatched tensor (file name first).
    /// </summary>
    public static void Check(string file, string what, IEnumerable<ExpectedTensor> expected, IEnumerable<(string Name, long[] Shape, string DType)> found)
    {
        var exp = expected.ToDictionary(e => e.Name);
        var got = found.ToDictionary(f => f.Name);
        var problems = new List<string>();
        foreach (var e in exp.Values)
        {
            if (!got.TryGetValue(e.Name, out var g))
                problems.Add($"  missing     {e.Name}: expected {RawTensor.FormatShape(e.Shape)} {e.Dtype}, not in the file");
            else if (!g.Shape.SequenceEqual(e.Shape))
                problems.Add($"  wrong shape {e.Name}: expected {RawTensor.FormatShape(e.Shape)}, found {RawTensor.FormatShape(g.Shape)}");
            else if (g.DType != e.Dtype)
                problems.Add($"  wrong dtype {e.Name}: expected {e.Dtype}, found {g.DType}");
        }
        foreach (var g in got.Values.Where(g => !exp.ContainsKey(g.Name)))
            problems.Add($"  unexpected  {g.Name}: found {RawTensor.FormatShape(g.Shape)} {g.DType}, not in {what}");
        if (problems.Count > 0)
            throw new InvalidDataException(new StringBuilder($"{file}: does not match {what} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}; nothing was loaded or written):\n")
                .AppendJoin('\n', problems).ToString());
    }
}
