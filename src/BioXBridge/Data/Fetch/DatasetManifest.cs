using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BioXBridge.Data.Fetch;

/// <summary>
/// One published data set as <c>bioxbridge data fetch|verify</c> sees it: where it lives, what to download, what is known
/// (and, honestly, not known) about each file's size and hash, how archives unpack, and the subjects/signals/labels the
/// loaders expect. Stored as <c>data-manifests/datasets/&lt;name&gt;.json</c>; schema:
/// <c>data-manifests/schema/dataset-manifest.schema.json</c>. Loading validates by hand and every error names the
/// manifest file and the field (<c>files[2].sha256</c>), so a typo never turns into a silent default.
/// </summary>
public sealed record DatasetManifest
{
    public const string SchemaId = "bioxbridge.dataset/1";

    /// <summary>Top-level fields the schema allows; anything else is an error naming the field.</summary>
    public static readonly string[] KnownFields =
    [
        "$schema", "schema", "name", "display_name", "synthetic", "description", "homepage", "license", "citation", "files",
        "expected_tree", "subjects", "signals", "labels", "windowing", "preprocessing", "split", "splits", "generator",
        "negative_control", "notes",
    ];

    private static readonly string[] FileFields =
        ["name", "url", "url_source", "size_bytes", "sha256", "verified", "extract", "extract_to", "direct", "subject", "each", "notes"];

    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    public bool Synthetic { get; init; }
    public string Description { get; init; } = "";
    public string? Homepage { get; init; }
    /// <summary>SPDX id when known; null means unknown (never guessed).</summary>
    public string? LicenseSpdx { get; init; }
    public bool LicenseVerified { get; init; }
    public string? Citation { get; init; }
    /// <summary>Every file to download, templates (<c>each</c>) already expanded.</summary>
    public IReadOnlyList<DatasetFile> Files { get; init; } = [];
    /// <summary>Paths (relative to the data set's folder) expected after extraction; may hold <c>{n}</c>-style patterns.</summary>
    public IReadOnlyList<string> ExpectedTree { get; init; } = [];
    public bool ExpectedTreeVerified { get; init; }
    public IReadOnlyList<string> Subjects { get; init; } = [];
    public IReadOnlyList<SignalInfo> Signals { get; init; } = [];
    /// <summary>Where it was loaded from (for messages).</summary>
    public string Source { get; init; } = "";
    /// <summary>The whole document, for fields this class does not model (labels, preprocessing, …).</summary>
    public JsonObject? Raw { get; init; }

    public DatasetFile? File(string name) => Files.FirstOrDefault(f => f.Name == name);

    public static DatasetManifest Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: dataset manifest not found", path);
        return Parse(System.IO.File.ReadAllText(path), path);
    }

    /// <summary>A manifest by path, or by name from <c>data-manifests/datasets/</c> above the working directory or the program.</summary>
    public static DatasetManifest Find(string nameOrPath)
    {
        if (System.IO.File.Exists(nameOrPath)) return Load(nameOrPath);
        var path = Locate(nameOrPath) ?? throw new FileNotFoundException(
            $"dataset manifest '{nameOrPath}' not found: not a file, and no data-manifests/datasets/{nameOrPath}.json above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}", nameOrPath);
        return Load(path);
    }

    public static string? Locate(string name) => ManifestFolders.Locate("datasets", name);

    /// <summary>Names of the manifests in the nearest <c>data-manifests/datasets/</c> folder (for messages).</summary>
    public static IReadOnlyList<string> Available() => ManifestFolders.Available("datasets");

    public static DatasetManifest Parse(string json, string source)
    {
        JsonNode? node;
        // Duplicate keys fail here: a JsonObject holding them throws ArgumentException later, when first enumerated.
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e); }
        if (node is not JsonObject root) throw new InvalidDataException($"{source}: a dataset manifest must be a JSON object");
        var v = new Validator(source);

        foreach (var (key, _) in root)
            if (!KnownFields.Contains(key)) v.Fail(key, $"unknown field (allowed: {string.Join(", ", KnownFields)})");
        var schema = v.String(root, "schema", required: true)!;
        if (schema != SchemaId) v.Fail("schema", $"is '{schema}', expected '{SchemaId}'");
        var name = v.String(root, "name", required: true);
        // null: already reported as missing (the validator collects errors and goes on; ThrowIfAny below stops there)
        if (name is not null && !Regex.IsMatch(name, "^[a-z0-9][a-z0-9-]*$")) v.Fail("name", $"'{name}' must be lower-case letters, digits and '-'");
        bool synthetic = v.Bool(root, "synthetic") ?? false;
        var description = v.String(root, "description", required: true)!;
        var homepage = v.String(root, "homepage", required: !synthetic);
        if (homepage is not null) v.Url("homepage", homepage);
        var citation = v.String(root, "citation", required: !synthetic);

        string? spdx = null;
        bool licenseVerified = false;
        if (root["license"] is JsonObject lic)
        {
            foreach (var (key, _) in lic)
                if (key is not ("spdx" or "verified" or "note")) v.Fail($"license.{key}", "unknown field (allowed: spdx, verified, note)");
            if (!lic.ContainsKey("spdx")) v.Fail("license.spdx", "is required (null when unknown — never guessed)");
            spdx = v.String(lic, "spdx", path: "license.spdx", nullable: true);
            licenseVerified = v.Bool(lic, "verified", path: "license.verified") ?? v.Fail<bool>("license.verified", "is required");
            if (spdx is null && licenseVerified) v.Fail("license.verified", "cannot be true while license.spdx is null");
        }
        else if (root.ContainsKey("license")) v.Fail("license", "must be an object { spdx, verified, note }");
        else if (!synthetic) v.Fail("license", "is required for a real data set (spdx null when unknown)");

        var files = new List<DatasetFile>();
        if (root["files"] is JsonArray fileArray)
        {
            for (int i = 0; i < fileArray.Count; i++)
                files.AddRange(ParseFile(v, fileArray[i], $"files[{i}]"));
        }
        else if (root.ContainsKey("files")) v.Fail("files", "must be an array");
        else if (!synthetic) v.Fail("files", "is required for a real data set");
        foreach (var dup in files.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            v.Fail("files", $"file name '{dup.Key}' appears {dup.Count()} times");

        var tree = new List<string>();
        bool treeVerified = false;
        if (root["expected_tree"] is JsonObject et)
        {
            foreach (var (key, _) in et)
                if (key is not ("paths" or "verified" or "note")) v.Fail($"expected_tree.{key}", "unknown field (allowed: paths, verified, note)");
            treeVerified = v.Bool(et, "verified", path: "expected_tree.verified") ?? v.Fail<bool>("expected_tree.verified", "is required");
            tree.AddRange(v.Strings(et, "paths", "expected_tree.paths"));
            foreach (var p in tree) if (!SafeRelative(p)) v.Fail("expected_tree.paths", $"'{p}' must be a relative path inside the data set's folder");
        }
        else if (root.ContainsKey("expected_tree")) v.Fail("expected_tree", "must be an object { paths, verified, note }");

        var subjects = root.ContainsKey("subjects") ? v.Strings(root, "subjects", "subjects") : [];
        if (!synthetic && !root.ContainsKey("subjects")) v.Fail("subjects", "is required for a real data set");

        var signals = new List<SignalInfo>();
        if (root["signals"] is JsonArray sigArray)
        {
            for (int i = 0; i < sigArray.Count; i++)
            {
                var p = $"signals[{i}]";
                if (sigArray[i] is not JsonObject s) { v.Fail(p, "must be an object"); continue; }
                var sn = v.String(s, "name", path: p + ".name", required: true);
                var rate = v.Number(s, "rate_hz", p + ".rate_hz");
                if (rate is null) v.Fail(p + ".rate_hz", "is required");
                else if (!(rate > 0)) v.Fail(p + ".rate_hz", $"must be > 0, got {rate.Value.ToString(CultureInfo.InvariantCulture)}");
                signals.Add(new SignalInfo(sn ?? "", rate ?? 0, s["source"]?.GetValueKind() == JsonValueKind.String ? (string?)s["source"] : null));
            }
        }
        else if (root.ContainsKey("signals")) v.Fail("signals", "must be an array");
        else v.Fail("signals", "is required");

        if (root.ContainsKey("labels") && root["labels"] is not JsonObject) v.Fail("labels", "must be an object");
        if (!root.ContainsKey("labels")) v.Fail("labels", "is required");

        v.ThrowIfAny();
        return new DatasetManifest
        {
            Name = name!, DisplayName = root["display_name"]?.GetValue<string>(), Synthetic = synthetic, Description = description,
            Homepage = homepage, LicenseSpdx = spdx, LicenseVerified = licenseVerified, Citation = citation, Files = files,
            ExpectedTree = tree, ExpectedTreeVerified = treeVerified, Subjects = subjects, Signals = signals, Source = source, Raw = root,
        };
    }

    private static IEnumerable<DatasetFile> ParseFile(Validator v, JsonNode? node, string p)
    {
        if (node is not JsonObject f) { v.Fail(p, "must be an object"); yield break; }
        foreach (var (key, _) in f)
            if (!FileFields.Contains(key)) v.Fail($"{p}.{key}", $"unknown field (allowed: {string.Join(", ", FileFields)})");
        var name = v.String(f, "name", path: p + ".name", required: true) ?? "";
        var url = v.String(f, "url", path: p + ".url", required: true) ?? "";
        long? size = null;
        if (!f.ContainsKey("size_bytes")) v.Fail(p + ".size_bytes", "is required (null when unknown)");
        else if (f["size_bytes"] is JsonNode sn)
        {
            if (sn.GetValueKind() != JsonValueKind.Number || !sn.AsValue().TryGetValue<long>(out var s) || s < 0)
                v.Fail(p + ".size_bytes", $"must be a non-negative integer or null, got {sn.ToJsonString()}");
            else size = s;
        }
        string? sha = null;
        if (!f.ContainsKey("sha256")) v.Fail(p + ".sha256", "is required (null when unknown — never invented)");
        else
        {
            sha = v.String(f, "sha256", path: p + ".sha256", nullable: true);
            if (sha is not null && !Regex.IsMatch(sha, "^[0-9a-f]{64}$"))
                v.Fail(p + ".sha256", $"must be null or 64 lower-case hex digits, got '{sha}'");
        }
        bool verified = v.Bool(f, "verified", path: p + ".verified") ?? v.Fail<bool>(p + ".verified", "is required");
        if (verified && sha is null) v.Fail(p + ".verified", "cannot be true while sha256 is null");
        var extract = v.String(f, "extract", path: p + ".extract") ?? "none";
        if (extract is not ("none" or "zip" or "rar")) v.Fail(p + ".extract", $"must be one of none, zip, rar; got '{extract}'");
        var extractTo = v.String(f, "extract_to", path: p + ".extract_to");
        bool direct = v.Bool(f, "direct", path: p + ".direct") ?? true;
        var subject = v.String(f, "subject", path: p + ".subject");
        var notes = v.String(f, "notes", path: p + ".notes", nullable: true);

        var values = new List<(string Var, string Value)?>();
        if (f["each"] is JsonObject each)
        {
            foreach (var (key, _) in each)
                if (key is not ("var" or "from" or "to")) v.Fail($"{p}.each.{key}", "unknown field (allowed: var, from, to)");
            var var = v.String(each, "var", path: p + ".each.var", required: true) ?? "n";
            var from = v.Number(each, "from", p + ".each.from");
            var to = v.Number(each, "to", p + ".each.to");
            if (from is null || to is null || from != Math.Floor(from.Value) || to != Math.Floor(to.Value) || to < from || to - from > 100_000)
                v.Fail(p + ".each", "needs integer 'from' ≤ 'to'");
            else
            {
                if (size is not null || sha is not null) v.Fail(p + ".each", "a templated entry cannot carry one size_bytes/sha256 for all its files; list them separately");
                if (!url.Contains("{" + var + "}") || !name.Contains("{" + var + "}")) v.Fail(p + ".each", $"url and name must both contain {{{var}}}");
                for (long k = (long)from.Value; k <= (long)to.Value; k++) values.Add((var, k.ToString(CultureInfo.InvariantCulture)));
            }
        }
        else if (f.ContainsKey("each")) v.Fail(p + ".each", "must be an object { var, from, to }");
        if (values.Count == 0) values.Add(null);

        foreach (var value in values)
        {
            string Sub(string? s) => s is null || value is null ? s ?? "" : s.Replace("{" + value.Value.Var + "}", value.Value.Value);
            var fileName = Sub(name);
            if (value is null || value.Value.Value == values[0]?.Value)
            {
                if (!SafeRelative(fileName)) v.Fail(p + ".name", $"'{name}' must be a relative path inside the data set's folder (no '..', no root)");
                if (extractTo is not null && !SafeRelative(Sub(extractTo), allowDot: true)) v.Fail(p + ".extract_to", $"'{extractTo}' must be a relative path inside the data set's folder");
                if (!Uri.TryCreate(Sub(url), UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                    v.Fail(p + ".url", $"'{url}' must be an absolute http(s) URL");
            }
            yield return new DatasetFile(fileName, Sub(url), size, sha, verified, extract, extractTo is null ? null : Sub(extractTo), direct,
                                         subject is null ? null : Sub(subject), notes);
        }
    }

    internal static bool SafeRelative(string path, bool allowDot = false)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) || path.StartsWith('/') || path.StartsWith('\\') || path.Contains(':')) return false;
        if (allowDot && path == ".") return true;
        var parts = path.Split('/', '\\');
        return parts.All(s => s.Length > 0 && s != ".." && s != ".");
    }

    /// <summary>Collects every problem, then throws one <see cref="InvalidDataException"/> listing them all.</summary>
    private sealed class Validator(string source)
    {
        private readonly List<string> errors = [];

        public void Fail(string field, string message) => errors.Add($"field '{field}': {message}");

        public T Fail<T>(string field, string message) { Fail(field, message); return default!; }

        public void ThrowIfAny()
        {
            if (errors.Count == 1) throw new InvalidDataException($"{source}: {errors[0]}");
            if (errors.Count > 1) throw new InvalidDataException($"{source}: {errors.Count} problems:\n  " + string.Join("\n  ", errors));
        }

        public string? String(JsonObject o, string key, string? path = null, bool required = false, bool nullable = false)
        {
            path ??= key;
            if (!o.TryGetPropertyValue(key, out var n)) { if (required) Fail(path, "is required"); return null; }
            if (n is null) { if (!nullable) Fail(path, "must be a string, got null"); return null; }
            if (n.GetValueKind() != JsonValueKind.String) { Fail(path, $"must be a string, got {n.ToJsonString()}"); return null; }
            var s = n.GetValue<string>();
            if (required && s.Length == 0) Fail(path, "must not be empty");
            return s;
        }

        public bool? Bool(JsonObject o, string key, string? path = null)
        {
            path ??= key;
            if (!o.TryGetPropertyValue(key, out var n)) return null;
            if (n?.GetValueKind() is JsonValueKind.True) return true;
            if (n?.GetValueKind() is JsonValueKind.False) return false;
            Fail(path, $"must be true or false, got {n?.ToJsonString() ?? "null"}");
            return false;
        }

        public double? Number(JsonObject o, string key, string path)
        {
            if (!o.TryGetPropertyValue(key, out var n) || n is null) return null;
            if (n.GetValueKind() != JsonValueKind.Number) { Fail(path, $"must be a number, got {n.ToJsonString()}"); return null; }
            return n.GetValue<double>();
        }

        public string[] Strings(JsonObject o, string key, string path)
        {
            if (o[key] is not JsonArray a) { Fail(path, "must be an array of strings"); return []; }
            var list = new List<string>();
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i]?.GetValueKind() == JsonValueKind.String) list.Add(a[i]!.GetValue<string>());
                else Fail($"{path}[{i}]", $"must be a string, got {a[i]?.ToJsonString() ?? "null"}");
            }
            return list.ToArray();
        }

        public void Url(string path, string value)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                Fail(path, $"'{value}' must be an absolute http(s) URL");
        }
    }
}

/// <summary>
/// One file to download. <see cref="Name"/> is relative to the data set's folder (<c>&lt;root&gt;/&lt;dataset&gt;/</c>);
/// <see cref="Sha256"/> and <see cref="SizeBytes"/> are null where nobody has published or measured them.
/// <see cref="Direct"/> false: the URL is a landing page (DOI); the file must be saved there by hand.
/// </summary>
public sealed record DatasetFile(string Name, string Url, long? SizeBytes, string? Sha256, bool Verified, string Extract,
                                 string? ExtractTo, bool Direct, string? Subject, string? Notes);

public sealed record SignalInfo(string Name, double RateHz, string? SourceName);
