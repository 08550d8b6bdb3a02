using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Data;

/// <summary>
/// A prepared dataset on disk, readable from Python as plain NumPy: <c>&lt;dir&gt;/&lt;split&gt;/&lt;modality&gt;.npy</c>
/// (float32, windows × channels × samples), <c>labels.npy</c> (int64), <c>subjects.json</c>, and <c>prepared.json</c>
/// recording the dataset, whether it is synthetic, the split unit and any leakage, the exact preprocessing parameters, the subjects of every split and
/// the SHA-256 of every file. The folder appears only when complete (staging folder, then rename) and is never
/// overwritten.
/// </summary>
public static class PreparedData
{
    public const string ManifestFile = "prepared.json";

    public static void Write(SplitData data, string dir, JsonObject preprocessing)
    {
        OutputFolder.Create(dir, "prepared data", staging =>
        {
            var splits = new JsonObject();
            foreach (var (name, part) in data.Named())
            {
                var folder = Directory.CreateDirectory(Path.Combine(staging, name)).FullName;
                var files = new JsonObject();
                foreach (var w in new[] { part.First, part.Second })
                {
                    Npy.Write<float>(Path.Combine(folder, w.Modality + ".npy"), w.Values, w.Shape);
                    files[w.Modality + ".npy"] = Hash(Path.Combine(folder, w.Modality + ".npy"));
                }
                Npy.Write<long>(Path.Combine(folder, "labels.npy"), part.Labels.Select(l => (long)l).ToArray(), part.Count);
                files["labels.npy"] = Hash(Path.Combine(folder, "labels.npy"));
                File.WriteAllText(Path.Combine(folder, "subjects.json"), JsonSerializer.Serialize(part.Subjects));
                files["subjects.json"] = Hash(Path.Combine(folder, "subjects.json"));
                splits[name] = new JsonObject
                {
                    ["windows"] = part.Count,
                    ["subjects"] = new JsonArray(part.Subjects.Distinct().Select(s => (JsonNode)s).ToArray()),
                    ["files"] = files,
                };
            }
            var first = data.Train;
            var manifest = new JsonObject
            {
                ["schema"] = "bioxbridge.prepared/1",
                ["dataset"] = first.Dataset,
                ["synthetic"] = first.Synthetic,
                ["class_names"] = new JsonArray(first.ClassNames.Select(c => (JsonNode)c).ToArray()),
                ["modalities"] = new JsonArray(new[] { first.First, first.Second }.Select(w => (JsonNode)new JsonObject
                {
                    ["name"] = w.Modality, ["rate_hz"] = w.RateHz, ["channels"] = w.Channels, ["samples"] = w.Samples,
                    ["sample_shape"] = w.SampleShape is null ? null : new JsonArray(w.SampleShape.Select(d => (JsonNode)d).ToArray()),
                }).ToArray()),
                ["split_unit"] = data.SplitUnit,
                ["leakage"] = data.Leakage,
                ["preprocessing"] = preprocessing,
                ["splits"] = splits,
            };
            File.WriteAllText(Path.Combine(staging, ManifestFile), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        });
    }

    /// <summary>Reads a prepared folder back, checking every file's hash against <c>prepared.json</c>.</summary>
    public static SplitData Read(string dir)
    {
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{dir}: no {ManifestFile}; not a prepared dataset", manifestPath);
        var m = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        string Field(JsonNode? n, string name) => n?.GetValue<string>() ?? throw new InvalidDataException($"{manifestPath}: field '{name}' missing");
        var modalities = m["modalities"]!.AsArray().Select(x => x!.AsObject()).ToArray();
        var classNames = m["class_names"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
        PairedWindows Part(string split)
        {
            var folder = Path.Combine(dir, split);
            var files = m["splits"]?[split]?["files"]?.AsObject() ?? throw new InvalidDataException($"{manifestPath}: field 'splits.{split}.files' missing");
            foreach (var (file, hash) in files)
                if (Hash(Path.Combine(folder, file)) != hash!.GetValue<string>())
                    throw new InvalidDataException($"{Path.Combine(folder, file)}: SHA-256 differs from {ManifestFile}; the prepared data changed after preparation");
            SignalWindows Load(JsonObject mod)
            {
                var name = Field(mod["name"], "modalities[].name");
                var a = Npy.Read(Path.Combine(folder, name + ".npy"));
                var inner = a.Shape[2..].Select(d => (int)d).ToArray();
                return new SignalWindows(name, mod["rate_hz"]!.GetValue<double>(), (int)a.Shape[1], inner.Aggregate(1, (x, y) => x * y), a.AsFloat32(),
                                         inner.Length > 1 ? inner : null);
            }
            var labels = Npy.Read(Path.Combine(folder, "labels.npy")).AsInt64().Select(l => (int)l).ToArray();
            var subjects = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(folder, "subjects.json")))!;
            return new PairedWindows(Field(m["dataset"], "dataset"), m["synthetic"]!.GetValue<bool>(), classNames,
                                     Load(modalities[0]), Load(modalities[1]), labels, subjects);
        }
        // folders prepared before these fields existed were all subject-wise
        return new SplitData(Part("train"), Part("val"), Part("pair"), Part("test"))
        {
            SplitUnit = m["split_unit"]?.GetValue<string>() ?? "subject", Leakage = m["leakage"]?.GetValue<string>(),
        };
    }

    private static string Hash(string path)
    {
        using var f = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
