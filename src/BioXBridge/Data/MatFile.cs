using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace BioXBridge.Data;

/// <summary>
/// MATLAB Level-5 MAT files (the format of ISRUC's <c>ExtractedChannels/subject&lt;n&gt;.mat</c>): a 128-byte header, then
/// data elements, each a miMATRIX or a zlib-compressed (miCOMPRESSED) miMATRIX. Numeric classes of either byte order
/// are decoded, whatever mi type the real part is stored as (MATLAB stores integral doubles as small ints to save
/// space). Every malformed-input error is one <see cref="InvalidDataException"/> naming the file, the variable (or
/// the element's byte offset when its name is not known yet) and what was expected.
/// </summary>
public static class MatFile
{
    private const int MiMatrix = 14, MiCompressed = 15;

    private static readonly Dictionary<int, (string Name, int Size)> MiTypes = new()
    {
        [1] = ("miINT8", 1), [2] = ("miUINT8", 1), [3] = ("miINT16", 2), [4] = ("miUINT16", 2), [5] = ("miINT32", 4),
        [6] = ("miUINT32", 4), [7] = ("miSINGLE", 4), [9] = ("miDOUBLE", 8), [12] = ("miINT64", 8), [13] = ("miUINT64", 8),
        [14] = ("miMATRIX", 1), [15] = ("miCOMPRESSED", 1), [16] = ("miUTF8", 1), [17] = ("miUTF16", 2), [18] = ("miUTF32", 4),
    };

    private static readonly string[] Classes =
    [
        "", "mxCELL_CLASS", "mxSTRUCT_CLASS", "mxOBJECT_CLASS", "mxCHAR_CLASS", "mxSPARSE_CLASS", "mxDOUBLE_CLASS",
        "mxSINGLE_CLASS", "mxINT8_CLASS", "mxUINT8_CLASS", "mxINT16_CLASS", "mxUINT16_CLASS", "mxINT32_CLASS",
        "mxUINT32_CLASS", "mxINT64_CLASS", "mxUINT64_CLASS", "mxFUNCTION_CLASS", "mxOPAQUE_CLASS",
    ];

    /// <summary>Reads every variable, or only those named in <paramref name="only"/> (the others are skipped unread
    /// where the format allows, which matters for 400-MB subject files of which a model needs seven channels).</summary>
    public static MatVariables Read(string path, IEnumerable<string>? only = null)
    {
        var wanted = only?.ToHashSet(StringComparer.Ordinal);
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        bool big = ReadHeader(f, path);
        var arrays = new Dictionary<string, MatArray>(StringComparer.Ordinal);
        var unsupported = new Dictionary<string, string>(StringComparer.Ordinal);
        var tag = new byte[8];
        while (true)
        {
            long at = f.Position;
            int got = f.ReadAtLeast(tag, tag.Length, throwOnEndOfStream: false);
            if (got == 0) break;
            string where = $"element at byte {at}";
            if (got < 8) throw Bad(path, where, $"tag cut short after {got} of 8 bytes (truncated file)");
            uint type = U32(tag, 0, big), nbytes = U32(tag, 4, big);
            if (type != MiMatrix && type != MiCompressed)
                throw Bad(path, where, $"data type {TypeName((int)type)}; expected miMATRIX (14) or miCOMPRESSED (15) at the top level");
            long left = f.Length - f.Position;
            if (wanted != null && type == MiMatrix && nbytes <= left && SkipUnwanted(f, nbytes, big, wanted)) continue;
            byte[] payload = new byte[Math.Min(nbytes, left)];
            f.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
            byte[] body;
            if (type == MiCompressed)
            {
                // The name sits in the first few dozen inflated bytes: look before inflating a variable nobody asked for.
                if (wanted != null && PeekCompressedName(payload) is { } peeked && !wanted.Contains(peeked)) continue;
                body = Inflate(path, where, payload, big);
            }
            else
            {
                if (nbytes > left)
                {
                    string name = PeekName(payload, big) is { } n ? $"variable '{n}' ({where})" : where;
                    throw Bad(path, name, $"tag says {nbytes} bytes but the file holds {left} after the tag (truncated file)");
                }
                body = payload;
                f.Seek(Pad8(nbytes) - nbytes, SeekOrigin.Current); // top-level miMATRIX elements are padded to 8 bytes
            }
            if (body.Length == 0) continue; // an empty miMATRIX stands for an empty value with no name
            var v = ParseMatrix(path, where, body, big, wanted);
            if (v.Array is { } a) arrays[a.Name] = a;
            else if (v.Unsupported is { } why) unsupported[v.Name] = why;
        }
        return new MatVariables(path, arrays, unsupported);
    }

    /// <summary>Reads just the head of an uncompressed miMATRIX; when its name is not wanted, seeks past the rest.</summary>
    private static bool SkipUnwanted(Stream f, uint nbytes, bool big, HashSet<string> wanted)
    {
        long start = f.Position;
        var head = new byte[Math.Min(nbytes, 256)];
        f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (PeekName(head, big) is { } name && !wanted.Contains(name))
        {
            f.Position = start + Pad8(nbytes);
            return true;
        }
        f.Position = start;
        return false;
    }

    private static bool ReadHeader(Stream f, string path)
    {
        var h = new byte[128];
        int got = f.ReadAtLeast(h, h.Length, throwOnEndOfStream: false);
        if (got < 128) throw new InvalidDataException($"{path}: header: file holds {got} bytes; a Level-5 MAT header needs 128");
        string text = Encoding.ASCII.GetString(h, 0, 116).TrimEnd('\0', ' ');
        if (text.StartsWith("MATLAB 7.3", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: header: a MATLAB 7.3 (HDF5) file; only Level-5 MAT files (save -v7 or older) are supported");
        string endian = Encoding.ASCII.GetString(h, 126, 2);
        if (endian != "IM" && endian != "MI")
            throw new InvalidDataException($"{path}: header field 'endian indicator' (bytes 126–127): expected 'IM' or 'MI', found '{Printable(h.AsSpan(126, 2))}' (not a Level-5 MAT file)");
        bool big = endian == "MI";
        int version = big ? BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(124)) : BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(124));
        if (version != 0x0100)
            throw new InvalidDataException($"{path}: header field 'version' (bytes 124–125): expected 0x0100, found 0x{version:X4}");
        return big;
    }

    private sealed record Parsed(string Name, MatArray? Array, string? Unsupported);

    private static Parsed ParseMatrix(string path, string where, byte[] body, bool big, HashSet<string>? wanted)
    {
        int pos = 0;
        var (ft, flags) = Sub(path, where, body, ref pos, big, "array flags");
        if (ft != 6 || flags.Length < 8) throw Bad(path, where, $"array flags: expected 8 bytes of miUINT32, found {flags.Length} bytes of {TypeName(ft)}");
        uint f0 = U32(flags, 0, big);
        int cls = (int)(f0 & 0xFF);
        bool complex = (f0 & 0x0800) != 0;
        var (dt, dimBytes) = Sub(path, where, body, ref pos, big, "dimensions");
        if (dt != 5 || dimBytes.Length < 8 || dimBytes.Length % 4 != 0)
            throw Bad(path, where, $"dimensions: expected at least two miINT32 values, found {dimBytes.Length} bytes of {TypeName(dt)}");
        var dims = new int[dimBytes.Length / 4];
        for (int k = 0; k < dims.Length; k++) dims[k] = (int)U32(dimBytes, 4 * k, big);
        if (dims.Any(d => d < 0)) throw Bad(path, where, $"dimensions: negative size in [{string.Join(", ", dims)}]");
        var (nt, nameBytes) = Sub(path, where, body, ref pos, big, "array name");
        if (nt != 1 && nt != 16) throw Bad(path, where, $"array name: expected miINT8 text, found {TypeName(nt)}");
        string name = Encoding.UTF8.GetString(nameBytes);
        where = $"variable '{name}' ({where})";
        string className = cls < Classes.Length && cls > 0 ? Classes[cls] : $"class {cls}";
        if (cls < 1 || cls >= Classes.Length) throw Bad(path, where, $"array flags: unknown array class {cls}");
        if (wanted != null && !wanted.Contains(name)) return new Parsed(name, null, null);
        if (cls < 6 || cls > 15) return new Parsed(name, null, $"{className} is not supported (only numeric arrays are decoded)");
        if (complex) return new Parsed(name, null, $"complex {className} is not supported (only real arrays are decoded)");
        var (rt, real) = Sub(path, where, body, ref pos, big, "real part");
        var values = ToDouble(path, where, rt, real, big);
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != count)
            throw Bad(path, where, $"real part holds {values.Length} values; dimensions [{string.Join(", ", dims)}] need {count}");
        return new Parsed(name, new MatArray(name, className, dims, values), null);
    }

    /// <summary>One sub-element of a miMATRIX, in the small (type and size packed in 4 bytes, data in the next 4) or
    /// normal format; normal elements are padded to 8 bytes.</summary>
    private static (int Type, byte[] Data) Sub(string path, string where, byte[] body, ref int pos, bool big, string field)
    {
        if (pos + 8 > body.Length) throw Bad(path, where, $"{field}: element tag runs past the end of the miMATRIX ({body.Length - pos} of 8 bytes left; truncated)");
        uint first = U32(body, pos, big);
        if (first >> 16 != 0)
        {
            int n = (int)(first >> 16), t = (int)(first & 0xFFFF);
            if (n > 4) throw Bad(path, where, $"{field}: small-format element claims {n} bytes; at most 4 fit");
            CheckType(path, where, field, t);
            var d = body.AsSpan(pos + 4, n).ToArray();
            pos += 8;
            return (t, d);
        }
        uint len = U32(body, pos + 4, big);
        CheckType(path, where, field, (int)first);
        if (len > body.Length - pos - 8)
            throw Bad(path, where, $"{field}: tag says {len} bytes but the miMATRIX holds {body.Length - pos - 8} after the tag (truncated)");
        var data = body.AsSpan(pos + 8, (int)len).ToArray();
        pos = (int)Math.Min(body.Length, pos + 8 + Pad8(len));
        return ((int)first, data);
    }

    private static void CheckType(string path, string where, string field, int t)
    {
        if (!MiTypes.ContainsKey(t)) throw Bad(path, where, $"{field}: unknown data type {t} (not a MAT mi type)");
    }

    private static double[] ToDouble(string path, string where, int type, byte[] b, bool big)
    {
        int size = MiTypes[type].Size;
        if (type is MiMatrix or MiCompressed or >= 16)
            throw Bad(path, where, $"real part: stored as {TypeName(type)}; expected a numeric mi type");
        if (b.Length % size != 0) throw Bad(path, where, $"real part: {b.Length} bytes is not a whole number of {TypeName(type)} values");
        var v = new double[b.Length / size];
        var s = b.AsSpan();
        // ISRUC channels are hundreds of MB of doubles or singles: copy those in bulk when the byte order allows.
        if (big == !BitConverter.IsLittleEndian && type is 9 or 7)
        {
            if (type == 9) MemoryMarshal.Cast<byte, double>(s).CopyTo(v);
            else
            {
                var f = MemoryMarshal.Cast<byte, float>(s);
                for (int k = 0; k < v.Length; k++) v[k] = f[k];
            }
            return v;
        }
        for (int k = 0; k < v.Length; k++)
        {
            var e = s.Slice(k * size, size);
            v[k] = type switch
            {
                1 => (sbyte)e[0],
                2 => e[0],
                3 => big ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e),
                4 => big ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e),
                5 => big ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
                6 => big ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e),
                7 => big ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e),
                9 => big ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e),
                12 => big ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
                _ => big ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e),
            };
        }
        return v;
    }

    /// <summary>
    /// The miMATRIX body inside a compressed element. Its tag, the first 8 inflated bytes, declares the size, and only
    /// that much is inflated into a buffer allocated once: a size deflate cannot reach from this many compressed bytes
    /// (at most 1032:1) is refused before any allocation, so a small damaged or hostile element cannot claim gigabytes.
    /// </summary>
    private static byte[] Inflate(string path, string where, byte[] payload, bool big)
    {
        string Named() => PeekCompressedName(payload) is { } n ? $"variable '{n}' ({where})" : where;
        try
        {
            using var z = new ZLibStream(new MemoryStream(payload), CompressionMode.Decompress);
            var tag = new byte[8];
            int got = z.ReadAtLeast(tag, 8, throwOnEndOfStream: false);
            if (got < 8) throw Bad(path, where, $"compressed element inflates to {got} bytes, too few for an element tag");
            uint innerType = U32(tag, 0, big), innerBytes = U32(tag, 4, big);
            if (innerType != MiMatrix) throw Bad(path, where, $"compressed element holds {TypeName((int)innerType)}; expected miMATRIX (14)");
            if (innerBytes > MaxDeflateRatio * (long)payload.Length || innerBytes > Array.MaxLength)
                throw Bad(path, Named(), $"miMATRIX tag says {innerBytes} bytes, more than {payload.Length} compressed bytes can inflate to " +
                    $"(deflate reaches at most {MaxDeflateRatio}:1; corrupt or hostile compressed element)");
            var body = new byte[innerBytes];
            got = z.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
            if (got < body.Length)
                throw Bad(path, Named(), $"miMATRIX tag says {innerBytes} bytes but the compressed data inflate to {got} (truncated or corrupt compressed stream)");
            return body;
        }
        // A damaged deflate stream surfaces as InvalidDataException or as ZLibException (an IOException).
        catch (Exception e) when (e is IOException || (e is InvalidDataException && !e.Message.StartsWith(path + ":", StringComparison.Ordinal)))
        {
            throw Bad(path, Named(), $"compressed data are not a valid zlib stream ({e.Message})");
        }
    }

    private const int MaxDeflateRatio = 1032;

    /// <summary>The array name of a miMATRIX body, if that much of it is intact; only used to name a damaged variable.</summary>
    private static string? PeekName(ReadOnlySpan<byte> body, bool big)
    {
        try
        {
            int pos = 0;
            var arr = body.ToArray();
            for (int k = 0; k < 3; k++)
            {
                var (t, d) = Sub("", "", arr, ref pos, big, "");
                if (k == 2) return t is 1 or 16 ? Encoding.UTF8.GetString(d) : null;
            }
        }
        catch (InvalidDataException) { }
        return null;
    }

    private static string? PeekCompressedName(byte[] payload)
    {
        try
        {
            using var z = new ZLibStream(new MemoryStream(payload), CompressionMode.Decompress);
            var head = new byte[256];
            int got = z.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return got > 8 ? PeekName(head.AsSpan(8, got - 8), false) ?? PeekName(head.AsSpan(8, got - 8), true) : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { return null; }
    }


    private static uint U32(byte[] b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static long Pad8(uint n) => (n + 7L) & ~7L;

    private static string TypeName(int t) => MiTypes.TryGetValue(t, out var m) ? $"{m.Name} ({t})" : $"{t} (no such mi type)";

    private static string Printable(ReadOnlySpan<byte> b) => new(b.ToArray().Select(c => c is >= 32 and < 127 ? (char)c : '?').ToArray());

    private static InvalidDataException Bad(string path, string where, string what) => new($"{path}: {where}: {what}");
}
