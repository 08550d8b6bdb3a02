using System.Text.Json;
using System.Text.Json.Serialization;

namespace BioXBridge.Data.Fetch;

/// <summary>One fetched file: what was asked for and what arrived. <see cref="File"/> is relative to the data root.</summary>
public sealed record LockEntry
{
    public required string Dataset { get; init; }
    public required string File { get; init; }
    public required string Url { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>UTC, ISO 8601.</summary>
    public required DateTimeOffset FetchedAt { get; init; }
    /// <summary>Folder (relative to the data root) the archive was unpacked into, once that finished.</summary>
    public string? ExtractedTo { get; init; }
}

/// <summary>
/// <c>data.lock.json</c> in the data root: the url, size, sha256 and time of every file <c>data fetch</c> brought in, so
/// <c>data verify</c> can tell later whether anything changed even where no hash was ever published. Written to a
/// temporary file and renamed over the old lock, so a crash leaves the previous lock intact.
/// </summary>
public sealed class LockFile
{
    public const string FileName = "data.lock.json";
    public const string SchemaId = "bioxbridge.data-lock/1";

    public string Schema { get; init; } = SchemaId;
    public List<LockEntry> Files { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
    };

    public static string PathIn(string root) => Path.Combine(root, FileName);

    /// <summary>The lock in <paramref name="root"/>, or an empty one when there is none yet.</summary>
    public static LockFile Load(string root)
    {
        var path = PathIn(root);
        if (!System.IO.File.Exists(path)) return new LockFile();
        LockFile? lf;
        try { lf = JsonSerializer.Deserialize<LockFile>(System.IO.File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid lock file ({e.Message}); move it away to start a new one", e); }
        if (lf is null || lf.Schema != SchemaId) throw new InvalidDataException($"{path}: schema '{lf?.Schema}', expected '{SchemaId}'");
        return lf;
    }

    public LockEntry? Find(string dataset, string file) => Files.FirstOrDefault(e => e.Dataset == dataset && e.File == file);

    /// <summary>Adds or replaces the entry for (dataset, file).</summary>
    public void Set(LockEntry entry)
    {
        Files.RemoveAll(e => e.Dataset == entry.Dataset && e.File == entry.File);
        Files.Add(entry);
        Files.Sort((a, b) => string.CompareOrdinal(a.Dataset + "\n" + a.File, b.Dataset + "\n" + b.File));
    }

    public void Save(string root)
    {
        Directory.CreateDirectory(root);
        var path = PathIn(root);
        var tmp = path + $".{Environment.ProcessId}.tmp";
        try
        {
            System.IO.File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json) + "\n");
            System.IO.File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (System.IO.File.Exists(tmp)) System.IO.File.Delete(tmp);
        }
    }
}
