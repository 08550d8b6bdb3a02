using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Everything <see cref="TrainingLoop"/> needs to continue a training as if it had never stopped: where it is (the next
/// epoch, and within it the next batch of the epoch's order), what it has logged, the best state so far, and the tensors:
/// the module's state dict (<c>model.*</c>), the optimizer's moments (<c>adam.m.*</c>, <c>adam.v.*</c>), the best copy
/// (<c>best.*</c>), the batch-order and global generators' states (<c>rng.order</c>, <c>rng.global</c>: dropout draws from
/// the global one) and, mid-epoch, the epoch's order (<c>order</c>).
/// <para>
/// One file: the 8 bytes <c>BXCKPT01</c>, a little-endian int32 header length, a UTF-8 JSON header (this record, each
/// tensor's name, dtype, shape and byte range) and the tensors' raw bytes. It is written to a temporary name and renamed
/// over the previous checkpoint, so a kill mid-write leaves the previous one whole. <see cref="Fingerprint"/> names the
/// training (sizes, schedule, seed, parameter shapes): a checkpoint of another training is refused, never used.
/// </para>
/// </summary>
public sealed record TrainingCheckpoint
{
    private static readonly byte[] Magic = "BXCKPT01"u8.ToArray();

    public required string Fingerprint { get; init; }
    /// <summary>The epoch to run next (1-based), and the first batch of it to run (0 after a completed epoch).</summary>
    public required int Epoch { get; init; }
    public required int NextSample { get; init; }
    public double LossSum { get; init; }
    public int Batches { get; init; }
    public int Retries { get; init; }
    public long AdamSteps { get; init; }
    public required List<EpochLog> History { get; init; }
    public double BestScore { get; init; } = double.NaN;
    public int BestEpoch { get; init; }
    public List<TensorEntry> Tensors { get; init; } = [];

    public sealed record TensorEntry(string Name, ScalarType Type, long[] Shape, long Offset, long Length);

    /// <summary>Where this checkpoint continues, as records and logs say it: "epoch 4" or "epoch 4, sample 96".</summary>
    public string Position => NextSample == 0 ? $"epoch {Epoch}" : $"epoch {Epoch}, sample {NextSample}";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the header and <paramref name="tensors"/> (copied to the CPU, contiguous) atomically to <paramref name="path"/>.</summary>
    public void Save(string path, IReadOnlyList<(string Name, Tensor Value)> tensors)
    {
        using var scope = NewDisposeScope();
        var cpu = tensors.Select(t => (t.Name, Value: t.Value.detach().cpu().contiguous())).ToList();
        long offset = 0;
        var entries = cpu.Select(t =>
        {
            long length = t.Value.numel() * t.Value.ElementSize;
            var e = new TensorEntry(t.Name, t.Value.dtype, t.Value.shape, offset, length);
            offset += length;
            return e;
        }).ToList();
        var header = JsonSerializer.SerializeToUtf8Bytes(this with { Tensors = entries }, Json);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(Magic);
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, header.Length);
            f.Write(size);
            f.Write(header);
            foreach (var (_, value) in cpu) f.Write(value.bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a checkpoint; the tensors come back on the CPU, by name, owned by the caller.</summary>
    public static (TrainingCheckpoint State, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a training checkpoint (expected it to start with BXCKPT01)");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4));
        if (length <= 0 || 12L + length > bytes.Length) throw new InvalidDataException($"{path}: header length {length} does not fit the file's {bytes.Length} bytes");
        TrainingCheckpoint state;
        try { state = JsonSerializer.Deserialize<TrainingCheckpoint>(bytes.AsSpan(12, length), Json) ?? throw new InvalidDataException($"{path}: empty header"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: unreadable header ({e.Message})", e); }
        long data = 12L + length;
        var tensors = new Dictionary<string, Tensor>();
        if (state.Tensors is null || state.History is null || state.Tensors.Any(e => e is null || e.Shape is null || e.Name is null))
            throw new InvalidDataException($"{path}: header field 'tensors' or 'history' is null or holds a null entry");
        foreach (var e in state.Tensors)
        {
            // Compared by subtraction: offset + length of a damaged header can overflow long and pass a sum test.
            if (e.Offset < 0 || e.Length < 0 || e.Offset > bytes.Length - data || e.Length > bytes.Length - data - e.Offset)
                throw new InvalidDataException($"{path}: tensor '{e.Name}' lies outside the file (truncated?)");
            // Shape and dtype are checked against the stored length before anything is allocated from them.
            long numel = 1;
            foreach (var d in e.Shape) numel = numel < 0 || d < 0 || (d > 0 && numel > e.Length / d) ? -1 : numel * d;
            if (!Enum.IsDefined(e.Type) || numel < 0 || numel * ElementSize(e.Type) != e.Length)
                throw new InvalidDataException($"{path}: tensor '{e.Name}': {e.Length} bytes for shape [{string.Join(", ", e.Shape)}] of {e.Type}");
            var t = empty(e.Shape, e.Type);
            t.bytes = bytes.AsSpan((int)(data + e.Offset), (int)e.Length);
            tensors[e.Name] = t;
        }
        return (state, tensors);
    }

    private static long ElementSize(ScalarType type)
    {
        using var probe = empty(0, type);
        return probe.ElementSize;
    }
}
