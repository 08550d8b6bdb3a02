using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Models;

/// <summary>
/// The safetensors format, read and written directly: an 8-byte little-endian header length, a JSON header
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>, padded with
/// spaces to a multiple of 8) and the raw little-endian data. Files written here load with PyBridge's
/// <c>load_safetensors</c> and Python's <c>safetensors</c>.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Writes to a temporary sibling and renames it into place; refuses to replace an existing file.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, RawTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) throw new IOException($"{path}: already exists; not overwriting it");
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in tensors)
        {
            if (t.Data.LongLength != t.Numel * RawTensor.ElementSize(t.DType))
                throw new ArgumentException($"{name}: {t.Data.LongLength} bytes do not match shape {RawTensor.FormatShape(t.Shape)} of {t.DType}");
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.LongLength),
            };
            offset += t.Data.LongLength;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var dir = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
                f.Write(len);
                f.Write(json);
                for (int i = json.Length; i < padded; i++) f.WriteByte((byte)' ');
                foreach (var (_, t) in tensors) f.Write(t.Data);
            }
            File.Move(tmp, full, overwrite: false);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Reads every tensor (in header order) and the metadata; any malformed part is an InvalidDataException naming the file.</summary>
    public static (List<KeyValuePair<string, RawTensor>> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> len = stackalloc byte[8];
            if (f.Read(len) != 8) throw new InvalidDataException("shorter than the 8-byte header length");
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
            if (n == 0 || n > (ulong)(f.Length - 8) || n > 100_000_000)
                throw new InvalidDataException($"header length {n} does not fit a file of {f.Length} bytes");
            var headerBytes = new byte[n];
            f.ReadExactly(headerBytes);
            var header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new InvalidDataException("header is not a JSON object");
            long dataStart = 8 + (long)n, dataLength = f.Length - dataStart;
            var metadata = new Dictionary<string, string>();
            var tensors = new List<KeyValuePair<string, RawTensor>>();
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    if (node is JsonObject meta) foreach (var (k, v) in meta) metadata[k] = v?.ToString() ?? "";
                    continue;
                }
                var dtype = node?["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{name}: no dtype");
                var shape = (node["shape"] as JsonArray ?? throw new InvalidDataException($"{name}: no shape")).Select(d => d!.GetValue<long>()).ToArray();
                var offsets = (node["data_offsets"] as JsonArray ?? throw new InvalidDataException($"{name}: no data_offsets")).Select(d => d!.GetValue<long>()).ToArray();
                long bytes = shape.Aggregate(1L, (a, b) => checked(a * b)) * RawTensor.ElementSize(dtype);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != bytes || offsets[1] > dataLength || shape.Any(d => d < 0))
                    throw new InvalidDataException($"{name}: data_offsets [{string.Join(", ", offsets)}] do not match shape {RawTensor.FormatShape(shape)} of {dtype} within {dataLength} data bytes (truncated file?)");
                var data = new byte[bytes];
                f.Position = dataStart + offsets[0];
                f.ReadExactly(data);
                tensors.Add(new(name, new RawTensor(dtype, shape, data)));
            }
            return (tensors, metadata);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException
                                      or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: corrupted or truncated safetensors file ({e.Message})", e);
        }
    }
}
