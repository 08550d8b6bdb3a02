using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace BioXBridge.Data;

/// <summary>
/// NumPy <c>.npy</c> files (format 1.0/2.0, little-endian, C order) for float32, float64, int32 and int64: what
/// prepared datasets are written as, and what parity fixtures from the PyTorch references are read from.
/// </summary>
public static partial class Npy
{
    public sealed record Array(string DType, long[] Shape, byte[] Data)
    {
        public float[] AsFloat32() => DType switch
        {
            "<f4" => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
            "<f8" => MemoryMarshal.Cast<byte, double>(Data).ToArray().Select(v => (float)v).ToArray(),
            _ => throw new InvalidDataException($"npy dtype {DType} is not a float type"),
        };

        public long[] AsInt64() => DType switch
        {
            "<i8" => MemoryMarshal.Cast<byte, long>(Data).ToArray(),
            "<i4" => MemoryMarshal.Cast<byte, int>(Data).ToArray().Select(v => (long)v).ToArray(),
            _ => throw new InvalidDataException($"npy dtype {DType} is not an integer type"),
        };
    }

    private static readonly Dictionary<string, int> ItemSize = new() { ["<f4"] = 4, ["<f8"] = 8, ["<i4"] = 4, ["<i8"] = 8 };

    public static Array Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>A .npy image already in memory (e.g. an entry of a NumPy <c>.npz</c> zip); <paramref name="path"/> names it in errors.</summary>
    public static Array Parse(byte[] bytes, string path)
    {
        string Fail(string what) => throw new InvalidDataException($"{path}: {what}");
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") Fail("not a .npy file (magic \\x93NUMPY missing)");
        int major = bytes[6];
        if (major is < 1 or > 3) Fail($"format version {major}.{bytes[7]}; expected 1.0, 2.0 or 3.0");
        int start = major == 1 ? 10 : 12;
        if (bytes.Length < start) Fail($"header length field cut short: the file holds {bytes.Length} bytes; version {major} needs {start}");
        // Version 2/3 store the header length as a uint32: read as long so that a damaged one is "too long", not negative.
        long headerLen = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToUInt32(bytes, 8);
        if (start + headerLen > bytes.Length) Fail($"header length {headerLen} runs past the end of the file (truncated)");
        var header = Encoding.ASCII.GetString(bytes, start, (int)headerLen);
        var descr = DescrRx().Match(header).Groups[1].Value;
        if (!ItemSize.TryGetValue(descr, out var size)) Fail($"field 'descr' is '{descr}'; expected one of {string.Join(", ", ItemSize.Keys)}");
        if (FortranRx().Match(header).Groups[1].Value != "False") Fail("field 'fortran_order' must be False (C order)");
        var shape = ShapeRx().Match(header).Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d
                : throw new InvalidDataException($"{path}: field 'shape' holds '{s}'; expected non-negative integers")).ToArray();
        // A damaged shape can multiply past long: then it certainly does not match the data.
        long expected = -1;
        try { expected = checked(shape.Aggregate(1L, (a, b) => a * b) * size); }
        catch (OverflowException) { Fail($"field 'shape' ({string.Join(", ", shape)}) overflows a 64-bit byte count"); }
        long available = bytes.Length - start - headerLen;
        if (available != expected) Fail($"data holds {available} bytes; shape ({string.Join(", ", shape)}) of {descr} needs {expected}");
        return new Array(descr, shape, bytes.AsSpan((int)(start + headerLen)).ToArray());
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a file.</summary>
    public static void Write<T>(string path, ReadOnlySpan<T> values, params long[] shape) where T : unmanaged
    {
        string descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8"
            : typeof(T) == typeof(int) ? "<i4" : typeof(T) == typeof(long) ? "<i8"
            : throw new NotSupportedException($"npy writer: {typeof(T).Name} is not supported");
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) does not hold {values.Length} values");
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int pad = 64 - (10 + header.Length + 1) % 64;
        header = header + new string(' ', pad % 64) + "\n";
        var tmp = path + $".{Environment.ProcessId}.tmp";
        using (var f = File.Create(tmp))
        {
            f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            f.Write(BitConverter.GetBytes((ushort)header.Length));
            f.Write(Encoding.ASCII.GetBytes(header));
            f.Write(MemoryMarshal.AsBytes(values));
        }
        File.Move(tmp, path, overwrite: true);
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")] private static partial Regex DescrRx();
    [GeneratedRegex(@"'fortran_order':\s*(True|False)")] private static partial Regex FortranRx();
    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")] private static partial Regex ShapeRx();
}
