using System.Text.Json;
using System.Text.Json.Serialization;

namespace BioXBridge.Models;

/// <summary>
/// What is known about one upstream foundation-model checkpoint and how to turn it into a clean safetensors file:
/// where it comes from, its licence, how the published file is laid out (root key, prefixes, renames, what to drop),
/// what the model expects as input and, where a C# port exists, the exact tensors it must end up with.
/// Stored as <c>data-manifests/models/&lt;name&gt;.json</c>; schema: <c>data-manifests/schema/model-manifest.schema.json</c>.
/// </summary>
public sealed record ModelManifest
{
    public const string SchemaId = "bioxbridge.model/1";

    public string Schema { get; init; } = SchemaId;
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required PaperRef Paper { get; init; }
    public required WeightsSource Source { get; init; }
    public required string License { get; init; }
    public required ContainerLayout Container { get; init; }
    public required InputSpec Input { get; init; }
    /// <summary>Null: not pinned yet; the converter then checks against a module when one is given, and the loader always checks against the module.</summary>
    public IReadOnlyList<ExpectedTensor>? ExpectedTensors { get; init; }
    public string? Notes { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // a null or missing field the records declare non-nullable is a format error here, not a NullReference in a conversion
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static ModelManifest FromJson(string json, string source)
    {
        ModelManifest? m;
        try { m = JsonSerializer.Deserialize<ModelManifest>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not a valid model manifest ({e.Message})", e); }
        if (m is null) throw new InvalidDataException($"{source}: empty model manifest");
        if (m.Schema != SchemaId) throw new InvalidDataException($"{source}: schema '{m.Schema}', expected '{SchemaId}'");
        if (m.ExpectedTensors?.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException($"{source}: expected_tensors names '{twice.Key}' {twice.Count()} times; each tensor once");
        foreach (var pattern in m.Container.Drop.Concat(m.Container.Renames.Select(r => r.Pattern)))
        {
            try { _ = new System.Text.RegularExpressions.Regex(pattern); }
            catch (ArgumentException e) { throw new InvalidDataException($"{source}: bad regular expression '{pattern}' ({e.Message})"); }
        }
        return m;
    }

    /// <summary>Indented JSON with one line per expected tensor.</summary>
    public string ToJson() => System.Text.RegularExpressions.Regex.Replace(JsonSerializer.Serialize(this, Json),
        @"\{\s*""name"": (""[^""]*""),\s*""shape"": \[([^\]]*)\],\s*""dtype"": (""[^""]*"")\s*\}",
        m => $"{{ \"name\": {m.Groups[1].Value}, \"shape\": [{string.Join(", ", m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}], \"dtype\": {m.Groups[3].Value} }}") + "\n";

    public static ModelManifest Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model manifest not found", path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>
    /// A manifest by file path, or by name (<c>labram-base</c>, …) from <c>data-manifests/models/</c>, searched upwards
    /// from the working directory and from the program's folder.
    /// </summary>
    public static ModelManifest Find(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Load(nameOrPath);
        var path = Locate(nameOrPath) ?? throw new FileNotFoundException(
            $"model manifest '{nameOrPath}' not found: not a file, and no data-manifests/models/{nameOrPath}.json above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}", nameOrPath);
        return Load(path);
    }

    public static string? Locate(string name) => BioXBridge.Data.ManifestFolders.Locate("models", name);
}

public sealed record PaperRef(string Title, string Authors, string Venue, string Url);

/// <summary>Where the published weights are. <c>Sha256</c> stays null and <c>Verified</c> false until someone has hashed the real file.</summary>
public sealed record WeightsSource(string Repository, string WeightsUrl, string FileName, string? Sha256, bool Verified);

/// <summary>
/// How the published file is laid out, applied in this order: pick the first of <see cref="RootKeys"/> present (none:
/// the file itself if it holds tensors, else the first of model/module/model_state_dict/state_dict); keep only keys
/// under <see cref="KeepPrefixes"/> (if any); strip <see cref="StripPrefixes"/> (repeatedly); apply <see cref="Renames"/> (regex, in order); drop keys matching any of
/// <see cref="Drop"/> (regex). Non-tensor entries are always skipped.
/// </summary>
public sealed record ContainerLayout
{
    public string Format { get; init; } = "torch-zip";
    public IReadOnlyList<string> RootKeys { get; init; } = [];
    public IReadOnlyList<string> KeepPrefixes { get; init; } = [];
    public IReadOnlyList<string> StripPrefixes { get; init; } = [];
    public IReadOnlyList<KeyRename> Renames { get; init; } = [];
    public IReadOnlyList<string> Drop { get; init; } = [];
}

public sealed record KeyRename(string Pattern, string Replacement);

public sealed record InputSpec(string Modality, double? SampleRateHz, string Shape, string Scaling, string? Example);

public sealed record ExpectedTensor(string Name, long[] Shape, string Dtype);
