using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BioXBridge.Bridge;
using BioXBridge.Models;
using Json.Schema;

namespace BioXBridge.Experiments;

/// <summary>
/// Direction configs on disk: the shipped ones (<c>configs/directions/*.json</c>, embedded in the library so they are
/// found from anywhere) or any user file. A file is checked against <c>configs/schema/direction.schema.json</c> before
/// it is read, so an unknown or ill-typed field is one error naming the file and the field; overrides
/// (<c>bridge.rank=8</c>) are applied to the JSON first and checked the same way.
/// </summary>
public static class DirectionFiles
{
    private const string ResourcePrefix = "BioXBridge.Configs.";

    public static readonly JsonSerializerOptions Json = new(RunRecord.Json)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Names of the shipped directions, in file-name order.</summary>
    public static IReadOnlyList<string> Names() => Resources("directions.");

    /// <summary>Names of the shipped configs in one folder (<c>directions.</c>, <c>sweeps.</c>), in file-name order.</summary>
    internal static IReadOnlyList<string> Resources(string folder) =>
        typeof(DirectionFiles).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix + folder, StringComparison.Ordinal))
            .Select(n => n[(ResourcePrefix.Length + folder.Length)..^".json".Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// A shipped direction by name, or a JSON file by path, with <paramref name="overrides"/> (<c>key.path=value</c>)
    /// applied. The result is fully resolved: every default is filled in.
    /// </summary>
    public static DirectionConfig Load(string nameOrPath, IEnumerable<string>? overrides = null)
    {
        var (text, source) = Text(nameOrPath);
        var node = ParseNode(text, source, "a direction config object");
        foreach (var o in overrides ?? []) Set(node, o, source);
        return Parse(node, source);
    }

    /// <summary>
    /// A direction with the usual substitutions of a real run: a prepared data folder and the two weight files (null
    /// keeps the direction's own), then any further <c>field=value</c> overrides. What the notebooks' parameter cells call.
    /// </summary>
    public static DirectionConfig Load(string nameOrPath, string? preparedData, string? newWeights, string? oldWeights, params string[] overrides)
    {
        var sets = new List<string>();
        void Set(string key, string? path) { if (path is not null) sets.Add($"{key}={JsonSerializer.Serialize(Path.GetFullPath(path))}"); }
        Set("dataset.prepared", preparedData);
        Set("new.weights", newWeights);
        Set("old.weights", oldWeights);
        return Load(nameOrPath, sets.Concat(overrides));
    }

    /// <summary>Checks a JSON tree against the schema, then reads it; every problem names <paramref name="source"/> and the field.</summary>
    public static DirectionConfig Parse(JsonNode node, string source)
    {
        Validate(node, Schema.Value, SchemaFile, source);
        DirectionConfig cfg;
        try { cfg = node.Deserialize<DirectionConfig>(Json) ?? throw new InvalidDataException($"{source}: empty direction config"); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: field '{Field(e.Path)}': {e.Message}", e); }
        Check(cfg, source);
        return cfg;
    }

    public const string SchemaFile = "direction.schema.json";

    /// <summary>A schema's text, as shipped in <c>configs/schema/</c>.</summary>
    public static string SchemaText(string file = SchemaFile) => Resource("schema." + file)
        ?? throw new InvalidOperationException($"the library was built without {file}");

    // A registry of our own: the global one is per process, and a notebook kernel that loads this library again would
    // find the schema's $id taken ("Overwriting registered schemas is not permitted").
    public static JsonSchema BuildSchema(string file = SchemaFile) =>
        JsonSchema.FromText(SchemaText(file), new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static readonly Lazy<JsonSchema> Schema = new(() => BuildSchema());

    /// <summary>JSON text as a tree (comments and trailing commas allowed); bad JSON is one error naming <paramref name="source"/>.</summary>
    internal static JsonNode ParseNode(string text, string source, string expected)
    {
        // Duplicate keys are refused while parsing: JsonObject would otherwise throw an ArgumentException later, when a
        // reader first enumerates the object.
        try { return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false })
                     ?? throw new InvalidDataException($"{source}: empty file; expected {expected}"); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e); }
    }

    /// <summary>Checks a tree against a schema; every problem names <paramref name="source"/> and the field.</summary>
    internal static void Validate(JsonNode node, JsonSchema schema, string schemaFile, string source)
    {
        EvaluationResults result;
        // The schema checker reads numbers as decimal: one past ±7.9e28 (1e400, a 30-digit integer) is a FormatException there.
        try { result = schema.Evaluate(JsonSerializer.SerializeToElement(node), new EvaluationOptions { OutputFormat = OutputFormat.List }); }
        catch (FormatException e) { throw new InvalidDataException($"{source}: a number is out of range for {schemaFile} (beyond ±7.9e28 or too precise): {e.Message}", e); }
        if (result.IsValid) return;
        var problems = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"field '{Field(d.InstanceLocation.ToString())}': {e.Value}")).Distinct().ToList();
        throw new InvalidDataException($"{source}: does not match {schemaFile}: " + string.Join("; ", problems));
    }

    /// <summary>Sets <c>a.b.c=value</c> in the tree; the value is read as JSON where it parses (numbers, true, null, [..]), else as a string.</summary>
    public static void Set(JsonNode root, string assignment, string source)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"override '{assignment}': expected key.path=value");
        var path = assignment[..eq].Split('.');
        var raw = assignment[(eq + 1)..];
        JsonNode? value;
        try { value = JsonNode.Parse(raw); }
        catch (JsonException) { value = JsonValue.Create(raw); }
        var parent = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (parent[path[i]] is not JsonObject child)
            {
                if (parent[path[i]] is not null) throw new ArgumentException($"override '{assignment}': '{string.Join('.', path[..(i + 1)])}' in {source} is not an object");
                parent[path[i]] = child = new JsonObject();
            }
            parent = child;
        }
        parent[path[^1]] = value;
    }

    /// <summary>The config as JSON (what runs write as <c>direction.json</c>); <see cref="Parse"/> reads it back.</summary>
    public static string ToJson(DirectionConfig cfg) => JsonSerializer.Serialize(cfg, Json);

    private static void Check(DirectionConfig c, string source)
    {
        void Fail(string field, string what) => throw new InvalidDataException($"{source}: field '{field}': {what}");
        foreach (var (field, role) in new[] { ("old", c.Old), ("new", c.New) })
        {
            if (ModelZoo.Find(role.Model) is null) Fail(field + ".model", $"unknown model '{role.Model}'; expected one of {string.Join(", ", ModelZoo.All.Select(e => e.Name))}");
            if (role.TimeEmbedding is not null && role.Model != "labram-base") Fail(field + ".time_embedding", "applies to labram-base only");
            try { if (ModelZoo.Find(role.Model) is { } entry) ConfigOverrides.Check(entry.ConfigType, role.Settings, field + ".settings"); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        }
        if (c.Old.Modality == c.New.Modality) Fail("new.modality", $"the new modality must differ from the old one ({c.Old.Modality})");
        var d = c.Dataset;
        bool synthetic = DatasetSpec.Generators.Contains(d.Name);
        if (!synthetic && !DatasetSpec.Recorded.Contains(d.Name))
            Fail("dataset.name", $"unknown dataset '{d.Name}'; expected one of {string.Join(", ", DatasetSpec.Generators.Concat(DatasetSpec.Recorded))}");
        (string Field, object? Value, string Applies)[] sizes =
        [
            ("minutes_per_class", d.MinutesPerClass, "synwesad"), ("epochs_per_subject", d.EpochsPerSubject, "synisruc"),
            ("minutes_per_task", d.MinutesPerTask, "synfog"), ("window_step_seconds", d.WindowStepSeconds, "synfog"),
        ];
        foreach (var s in sizes.Where(s => s.Value is not null && s.Applies != d.Name))
            Fail("dataset." + s.Field, $"applies to {s.Applies} only, not to {d.Name}");
        if (!synthetic && d.Subjects is not null) Fail("dataset.subjects", $"{d.Name} is recorded data: its subjects come from the prepared folder");
        if (!synthetic && d.NegativeControl) Fail("dataset.negative_control", $"a negative control needs a synthetic generator; {d.Name} is recorded data");
        if (c.Positions.Input is < 1) Fail("positions.input", "m counts new blocks from 1");
        if (c.Positions.Output is < 0) Fail("positions.output", "l counts old blocks from 0");
        // Only PaPaGei's blocks have a channel axis to average over (its layout is channel-major).
        if (c.Positions.NewPooling == NewPooling.Channels && ModelZoo.Find(c.New.Model)?.ConfigType != typeof(PaPaGeiConfig))
            Fail("positions.new_pooling", $"\"channels\" applies to a channel-major new model (papagei-s) only, not to {c.New.Model}; expected \"length\"");
    }

    private static (string Text, string Source) Text(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return (File.ReadAllText(nameOrPath), nameOrPath);
        if (Resource("directions." + nameOrPath + ".json") is string text) return (text, $"configs/directions/{nameOrPath}.json");
        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) throw new FileNotFoundException($"{nameOrPath}: direction file not found", nameOrPath);
        throw new ArgumentException($"unknown direction '{nameOrPath}': not a shipped direction ({string.Join(", ", Names())}) nor a file");
    }

    internal static string? Resource(string name)
    {
        using var s = typeof(DirectionFiles).Assembly.GetManifestResourceStream(ResourcePrefix + name);
        return s is null ? null : new StreamReader(s).ReadToEnd();
    }

    // "/bridge/rank" or "$.bridge.rank" → "bridge.rank"; the document itself → "(top level)"
    private static string Field(string? pointer)
    {
        var f = (pointer ?? "").TrimStart('$').Trim('/', '.').Replace('/', '.');
        return f.Length == 0 ? "(top level)" : f.ToString(CultureInfo.InvariantCulture);
    }
}
