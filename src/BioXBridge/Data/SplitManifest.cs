using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Data;

/// <summary>
/// An explicit subject split read from a split manifest (<c>bioxbridge.split/1</c>, <c>data-manifests/splits/</c>, schema
/// in <c>data-manifests/schema/split-manifest.schema.json</c>): its <c>subjects</c> lists name the subjects of
/// train / val / pair / test. Used instead of the seeded shuffle when a data set does not have the paper's subject
/// count (a partial download, a small fixture) or to pin a split chosen elsewhere. The lists must cover the prepared
/// subjects exactly: a subject missing from every list, listed twice, or listed but absent from the data is an error,
/// so a manifest can never silently drop or invent data.
/// </summary>
public static class SplitManifest
{
    public static readonly string[] Roles = ["train", "val", "pair", "test"];

    /// <summary>A manifest path, or the name of one in <c>data-manifests/splits/</c> (e.g. "wesad-subjectwise").</summary>
    public static string Locate(string pathOrName)
    {
        if (File.Exists(pathOrName)) return pathOrName;
        var folder = ManifestFolders.Folder("splits");
        var named = folder is null ? null : Path.Combine(folder, pathOrName + ".json");
        return named is not null && File.Exists(named) ? named
            : throw new FileNotFoundException($"split manifest '{pathOrName}': no such file{(folder is null ? "" : $", and no {pathOrName}.json in {folder}")}");
    }

    /// <summary>The role → subjects assignment of <paramref name="path"/>, checked against the subjects that have windows.</summary>
    public static IReadOnlyDictionary<string, string[]> Read(string path, IEnumerable<string> subjects)
    {
        JsonObject m;
        // Duplicate keys fail here: a JsonObject holding them throws ArgumentException later, when first enumerated.
        try { m = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })?.AsObject() ?? throw new InvalidDataException($"{path}: expected a JSON object"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        { throw new InvalidDataException($"{path}: not a JSON object ({e.Message})", e); }
        string Str(string field) => m[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new InvalidDataException($"{path}: field '{field}': expected a string");
        if (Str("schema") != "bioxbridge.split/1") throw new InvalidDataException($"{path}: field 'schema': expected 'bioxbridge.split/1', found '{Str("schema")}'");
        if (Str("unit") != "subject")
            throw new InvalidDataException($"{path}: field 'unit': expected 'subject', found '{Str("unit")}' (window-level splits are not prepared from a manifest)");
        if (m["subjects"] is not JsonObject lists)
            throw new InvalidDataException($"{path}: field 'subjects': expected an object with lists {string.Join(", ", Roles)} (it is null or missing)");

        var present = subjects.ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new Dictionary<string, string[]>();
        foreach (var role in Roles)
        {
            if (lists[role] is not JsonArray a || a.Any(x => x is not JsonValue xv || !xv.TryGetValue<string>(out _)))
                throw new InvalidDataException($"{path}: field 'subjects.{role}': expected a list of subject names");
            var names = a.Select(x => x!.GetValue<string>()).ToArray();
            foreach (var s in names)
            {
                if (!seen.TryAdd(s, role)) throw new InvalidDataException($"{path}: subject '{s}' is listed in both '{seen[s]}' and '{role}'");
                if (!present.Contains(s))
                    throw new InvalidDataException($"{path}: field 'subjects.{role}' lists '{s}', which has no windows in the prepared data " +
                                                   $"(subjects: {string.Join(", ", present.Order(StringComparer.Ordinal))})");
            }
            result[role] = names.Order(StringComparer.Ordinal).ToArray();
        }
        var extra = lists.Select(kv => kv.Key).Except(Roles).ToArray();
        if (extra.Length > 0) throw new InvalidDataException($"{path}: field 'subjects': unknown role(s) {string.Join(", ", extra)}; expected {string.Join(", ", Roles)}");
        var missing = present.Where(s => !seen.ContainsKey(s)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0) throw new InvalidDataException($"{path}: subject(s) {string.Join(", ", missing)} are in the data but in no split");
        return result;
    }

    /// <summary>What prepared.json records about a manifest split.</summary>
    public static JsonNode Describe(string path, IReadOnlyDictionary<string, string[]> assignment) =>
        JsonSerializer.SerializeToNode(new { rule = "split manifest", manifest = Path.GetFullPath(path), subjects = assignment })!;
}
