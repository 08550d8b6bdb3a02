using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace BioXBridge.Models;

/// <summary>A dense little-endian tensor as raw bytes: safetensors dtype name (F32, I64, …), shape, contiguous data.</summary>
public sealed record RawTensor(string DType, long[] Shape, byte[] Data)
{
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new InvalidDataException($"unsupported tensor dtype '{dtype}'"),
    };

    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>A Python global (module.name) met in a pickle: a class or function reference, never resolved.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>Placeholder for any object of a class C# does not know (a pickled config, a numpy scalar, …): kept, never interpreted.</summary>
public sealed class PyObject(PyGlobal type, object?[] args)
{
    public PyGlobal Type { get; } = type;
    public object?[] Args { get; } = args;
    public object? State { get; set; }
    public override string ToString() => $"<{Type}>";
}

/// <summary>An insertion-ordered Python dict (also stands in for OrderedDict).</summary>
public sealed class PyDict
{
    private readonly Dictionary<object, object?> map = new();
    private readonly List<object> order = new();

    public void Set(object? key, object? value)
    {
        key ??= PyNone.Value;
        if (!map.ContainsKey(key)) order.Add(key);
        map[key] = value;
    }

    public bool TryGet(object key, out object? value) => map.TryGetValue(key, out value);
    public IEnumerable<KeyValuePair<object, object?>> Items => order.Select(k => new KeyValuePair<object, object?>(k, map[k]));
    public IEnumerable<object> Keys => order;
    public int Count => order.Count;
}

internal sealed class PyNone
{
    public static readonly PyNone Value = new();
    public override string ToString() => "None";
}

/// <summary>A tensor view on a storage in the archive (what torch._utils._rebuild_tensor_v2 describes); read on demand.</summary>
public sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>One <c>data/&lt;key&gt;</c> entry of a torch.save zip: element type and count.</summary>
public sealed record TorchStorageRef(string Key, string? DType, string StorageType, long Numel);

/// <summary>
/// Reads a PyTorch <c>torch.save</c> file (zip format, PyTorch ≥ 1.6) without Python and without needing the classes of
/// the objects in it: <c>data.pkl</c> is run by a small pickle machine that turns tensors into <see cref="TorchTensorRef"/>s
/// (their bytes are read only when asked for) and every other object into a <see cref="PyObject"/> placeholder, so
/// pickled config objects, optimizer states, numpy scalars or argparse namespaces next to the weights are simply skipped.
/// Every failure is an <see cref="InvalidDataException"/> whose message starts with the file's path.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    private readonly ZipArchive zip;
    private readonly string prefix;
    public string Path { get; }
    /// <summary>The unpickled top-level object: usually a <see cref="PyDict"/>.</summary>
    public object? Root { get; }

    private TorchCheckpoint(string path, ZipArchive zip, string prefix, object? root) =>
        (Path, this.zip, this.prefix, Root) = (path, zip, prefix, root);

    /// <summary>True if the file starts like a zip archive (what torch.save writes since PyTorch 1.6).</summary>
    public static bool LooksLikeZip(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.Read(head) == 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04;
    }

    public static TorchCheckpoint Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var bytes = new byte[4];
        int n;
        using (var f = File.OpenRead(path)) n = f.Read(bytes, 0, 4);
        if (n >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
            throw new InvalidDataException($"{path}: saved in PyTorch's legacy (pre-1.6, non-zip) format, which is not supported; re-save it in Python with torch.save(obj, path) (the default zip format)");
        if (n < 4 || bytes[0] != 0x50 || bytes[1] != 0x4B || bytes[2] != 0x03 || bytes[3] != 0x04)
            throw new InvalidDataException($"{path}: not a PyTorch checkpoint (expected the zip format torch.save writes; the file starts with {Convert.ToHexString(bytes, 0, n)})");
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read, leaveOpen: false);
            var pkl = zip.Entries.Where(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                                 .OrderBy(e => e.FullName.Length).FirstOrDefault()
                      ?? throw new InvalidDataException("no data.pkl in the archive");
            var prefix = pkl.FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(prefix + "byteorder");
            if (order is not null)
            {
                using var r = new StreamReader(order.Open());
                var text = r.ReadToEnd().Trim();
                if (text != "little") throw new InvalidDataException($"byte order '{text}' is not supported (only little-endian)");
            }
            byte[] data;
            using (var s = pkl.Open()) data = ReadAll(s, pkl.Length);
            var root = new Unpickler(data).Load();
            return new TorchCheckpoint(path, zip, prefix, root);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            zip?.Dispose();
            throw Wrap(path, e);
        }
    }

    private static Exception Wrap(string path, Exception e) => e switch
    {
        InvalidDataException ide when ide.Message.StartsWith(path, StringComparison.Ordinal) => ide,
        InvalidDataException or IOException or EndOfStreamException or ArgumentException or InvalidCastException
            or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or FormatException
            or NotSupportedException or InvalidOperationException or KeyNotFoundException
            => new InvalidDataException($"{path}: corrupted or truncated PyTorch checkpoint ({e.Message})", e),
        _ => e,
    };

    private static byte[] ReadAll(Stream s, long expected)
    {
        if (expected > Array.MaxLength) throw new InvalidDataException($"entry of {expected} bytes is too large");
        var buf = new byte[expected];
        int read = 0;
        while (read < buf.Length)
        {
            int n = s.Read(buf, read, buf.Length - read);
            if (n == 0) throw new EndOfStreamException($"entry ends after {read} of {expected} bytes");
            read += n;
        }
        return buf;
    }

    /// <summary>Reads the bytes of one tensor (contiguous, little-endian).</summary>
    public RawTensor ReadTensor(TorchTensorRef t)
    {
        try
        {
            var dtype = t.Storage.DType ?? throw new InvalidDataException($"storage type {t.Storage.StorageType} is not supported");
            int es = RawTensor.ElementSize(dtype);
            var entry = zip.GetEntry(prefix + "data/" + t.Storage.Key) ?? throw new InvalidDataException($"storage data/{t.Storage.Key} is missing from the archive");
            if (entry.Length < t.Storage.Numel * es)
                throw new InvalidDataException($"storage data/{t.Storage.Key} holds {entry.Length} bytes, expected {t.Storage.Numel * es}");
            byte[] storage;
            using (var s = entry.Open()) storage = ReadAll(s, entry.Length);
            long numel = t.Shape.Aggregate(1L, (a, b) => a * b);
            var output = new byte[numel * es];
            if (numel == 0) return new RawTensor(dtype, t.Shape, output);
            // bounds: the furthest element the view touches must lie in the storage
            long last = t.Offset + t.Shape.Select((d, i) => (d - 1) * t.Stride[i]).Sum();
            if (t.Offset < 0 || last >= t.Storage.Numel || t.Stride.Any(s => s < 0))
                throw new InvalidDataException($"tensor view (offset {t.Offset}, shape {RawTensor.FormatShape(t.Shape)}) exceeds its storage of {t.Storage.Numel} elements");
            if (IsContiguous(t.Shape, t.Stride))
            {
                Buffer.BlockCopy(storage, checked((int)(t.Offset * es)), output, 0, output.Length);
                return new RawTensor(dtype, t.Shape, output);
            }
            var index = new long[t.Shape.Length];
            for (long k = 0; k < numel; k++)
            {
                long src = t.Offset;
                for (int d = 0; d < index.Length; d++) src += index[d] * t.Stride[d];
                Buffer.BlockCopy(storage, checked((int)(src * es)), output, checked((int)(k * es)), es);
                for (int d = index.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < t.Shape[d]) break;
                    index[d] = 0;
                }
            }
            return new RawTensor(dtype, t.Shape, output);
        }
        catch (Exception e)
        {
            throw Wrap(Path, e);
        }
    }

    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public void Dispose() => zip.Dispose();

    internal static string? DTypeOfStorage(string storageType) => storageType switch
    {
        "FloatStorage" => "F32", "DoubleStorage" => "F64", "HalfStorage" => "F16", "BFloat16Storage" => "BF16",
        "LongStorage" => "I64", "IntStorage" => "I32", "ShortStorage" => "I16", "CharStorage" => "I8",
        "ByteStorage" => "U8", "BoolStorage" => "BOOL", _ => null,
    };

    internal static string? DTypeOfTorchDtype(string name) => name switch
    {
        "float32" or "float" => "F32", "float64" or "double" => "F64", "float16" or "half" => "F16", "bfloat16" => "BF16",
        "int64" or "long" => "I64", "int32" or "int" => "I32", "int16" or "short" => "I16", "int8" => "I8",
        "uint8" => "U8", "bool" => "BOOL", _ => null,
    };

    /// <summary>
    /// A pickle machine for protocols 0–5 that builds plain C# values: dict → <see cref="PyDict"/>, list →
    /// <c>List&lt;object?&gt;</c>, tuple → <c>object?[]</c>, str → string, int → long (or BigInteger), float → double,
    /// bytes → byte[]. Tensors become <see cref="TorchTensorRef"/>; calls of anything else become <see cref="PyObject"/>.
    /// </summary>
    private sealed class Unpickler(byte[] data)
    {
        private int pos;
        private readonly List<object?> stack = new();
        private readonly Stack<int> marks = new();
        private readonly Dictionary<long, object?> memo = new();
        private static readonly object Mark = new();

        private byte Byte() => pos < data.Length ? data[pos++] : throw new EndOfStreamException("data.pkl ends early");
        private ReadOnlySpan<byte> Bytes(long n)
        {
            if (n < 0 || pos + n > data.Length) throw new EndOfStreamException("data.pkl ends early");
            var s = data.AsSpan(pos, (int)n);
            pos += (int)n;
            return s;
        }
        private string Line()
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            if (end < 0) throw new EndOfStreamException("data.pkl ends early");
            var s = Encoding.UTF8.GetString(data, pos, end - pos);
            pos = end + 1;
            return s;
        }
        private object? Pop()
        {
            if (stack.Count == 0) throw new InvalidDataException("pickle stack underflow");
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }
        private object? Peek() => stack.Count > 0 ? stack[^1] : throw new InvalidDataException("pickle stack underflow");
        private List<object?> PopMark()
        {
            if (marks.Count == 0) throw new InvalidDataException("pickle mark missing");
            int m = marks.Pop();
            var items = stack.GetRange(m, stack.Count - m);
            stack.RemoveRange(m, stack.Count - m);
            return items;
        }

        public object? Load()
        {
            while (true)
            {
                byte op = Byte();
                switch (op)
                {
                    case 0x80: Byte(); break;                                   // PROTO
                    case 0x95: Bytes(8); break;                                 // FRAME
                    case (byte)'.': return Pop();                               // STOP
                    case (byte)'(': marks.Push(stack.Count); break;             // MARK
                    case (byte)'0': Pop(); break;                               // POP
                    case (byte)'1': PopMark(); break;                           // POP_MARK
                    case (byte)'2': stack.Add(Peek()); break;                   // DUP
                    case (byte)'N': stack.Add(null); break;
                    case 0x88: stack.Add(true); break;
                    case 0x89: stack.Add(false); break;
                    case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                    case (byte)'K': stack.Add((long)Byte()); break;
                    case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                    case 0x8A: stack.Add(Long(Bytes(Byte()))); break;           // LONG1
                    case 0x8B: stack.Add(Long(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;
                    case (byte)'I':
                    {
                        var s = Line();
                        stack.Add(s == "00" ? false : s == "01" ? true : (object)long.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    }
                    case (byte)'L': stack.Add(BigInteger.Parse(Line().TrimEnd('L'), System.Globalization.CultureInfo.InvariantCulture)); break;
                    case (byte)'F': stack.Add(double.Parse(Line(), System.Globalization.CultureInfo.InvariantCulture)); break;
                    case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break;
                    case (byte)'X': stack.Add(Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))))); break;
                    case 0x8C: stack.Add(Encoding.UTF8.GetString(Bytes(Byte()))); break;
                    case 0x8D: stack.Add(Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadInt64LittleEndian(Bytes(8))))); break;
                    case (byte)'V': stack.Add(Line()); break;
                    case (byte)'S': stack.Add(Line().Trim('\'', '"')); break;
                    case (byte)'T': stack.Add(Encoding.Latin1.GetString(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;
                    case (byte)'U': stack.Add(Encoding.Latin1.GetString(Bytes(Byte()))); break;
                    case (byte)'B': stack.Add(Bytes(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))).ToArray()); break;
                    case (byte)'C': stack.Add(Bytes(Byte()).ToArray()); break;
                    case 0x8E or 0x96: stack.Add(Bytes(BinaryPrimitives.ReadInt64LittleEndian(Bytes(8))).ToArray()); break;
                    case 0x98: break;                                            // READONLY_BUFFER
                    case (byte)')': stack.Add(Array.Empty<object?>()); break;
                    case (byte)'t': stack.Add(PopMark().ToArray()); break;
                    case 0x85: stack.Add(new[] { Pop() }); break;
                    case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                    case (byte)']': stack.Add(new List<object?>()); break;
                    case (byte)'l': stack.Add(PopMark()); break;
                    case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; }
                    case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                    case (byte)'}': stack.Add(new PyDict()); break;
                    case (byte)'d':
                    {
                        var items = PopMark();
                        var d = new PyDict();
                        for (int i = 0; i + 1 < items.Count; i += 2) d.Set(items[i], items[i + 1]);
                        stack.Add(d);
                        break;
                    }
                    case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek()).Set(k, v); break; }
                    case (byte)'u':
                    {
                        var items = PopMark();
                        var d = AsDict(Peek());
                        for (int i = 0; i + 1 < items.Count; i += 2) d.Set(items[i], items[i + 1]);
                        break;
                    }
                    case 0x8F: stack.Add(new List<object?>()); break;            // EMPTY_SET
                    case 0x90: { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                    case 0x91: stack.Add(PopMark()); break;                      // FROZENSET
                    case (byte)'c': { var module = Line(); var name = Line(); stack.Add(new PyGlobal(module, name)); break; }
                    case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; stack.Add(new PyGlobal(module, name)); break; }
                    case (byte)'R' or 0x81:                                      // REDUCE, NEWOBJ
                    {
                        var args = (object?[])Pop()!;
                        stack.Add(Call(Pop(), args));
                        break;
                    }
                    case 0x92: { Pop(); var args = (object?[])Pop()!; stack.Add(Call(Pop(), args)); break; } // NEWOBJ_EX
                    case (byte)'o': { var items = PopMark(); stack.Add(Call(items[0], items.Skip(1).ToArray())); break; }
                    case (byte)'i': { var g = new PyGlobal(Line(), Line()); stack.Add(Call(g, PopMark().ToArray())); break; }
                    case (byte)'b':                                              // BUILD
                    {
                        var state = Pop();
                        if (Peek() is PyObject o) o.State = state; // dicts (OrderedDict._metadata) and the rest: state ignored
                        break;
                    }
                    case (byte)'Q': stack.Add(Persistent(Pop())); break;         // BINPERSID
                    case (byte)'P': stack.Add(Persistent(Line())); break;
                    case (byte)'p': memo[long.Parse(Line(), System.Globalization.CultureInfo.InvariantCulture)] = Peek(); break;
                    case (byte)'q': memo[Byte()] = Peek(); break;
                    case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(); break;
                    case 0x94: memo[memo.Count] = Peek(); break;                 // MEMOIZE
                    case (byte)'g': stack.Add(Memo(long.Parse(Line(), System.Globalization.CultureInfo.InvariantCulture))); break;
                    case (byte)'h': stack.Add(Memo(Byte())); break;
                    case (byte)'j': stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))); break;
                    default: throw new InvalidDataException($"unsupported pickle opcode 0x{op:x2} at byte {pos - 1} of data.pkl");
                }
            }
        }

        private object? Memo(long key) => memo.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"pickle memo key {key} is missing");
        private static List<object?> AsList(object? o) => o as List<object?> ?? throw new InvalidDataException($"pickle: append to a {o?.GetType().Name ?? "None"}");
        private static PyDict AsDict(object? o) => o as PyDict ?? throw new InvalidDataException($"pickle: set item on a {o?.GetType().Name ?? "None"}");

        private static object Long(ReadOnlySpan<byte> b)
        {
            if (b.Length == 0) return 0L;
            var big = new BigInteger(b, isUnsigned: false, isBigEndian: false);
            return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
        }

        private static object? Persistent(object? pid)
        {
            // torch.save: ("storage", <class torch.FloatStorage>, key, location, numel)
            if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage")
                throw new InvalidDataException($"unknown persistent id in data.pkl: {pid}");
            var type = t[1] switch { PyGlobal g => g.Name, string s => s, var o => o?.ToString() ?? "" };
            var key = t[2]?.ToString() ?? throw new InvalidDataException("storage without key");
            return new TorchStorageRef(key, DTypeOfStorage(type), type, Convert.ToInt64(t[4]));
        }

        private static object? Call(object? callable, object?[] args)
        {
            if (callable is not PyGlobal g) throw new InvalidDataException($"pickle: call of a non-class {callable?.GetType().Name ?? "None"}");
            switch (g.Module, g.Name)
            {
                case ("torch._utils", "_rebuild_tensor" or "_rebuild_tensor_v2" or "_rebuild_tensor_v3"):
                {
                    var storage = args[0] as TorchStorageRef ?? throw new InvalidDataException($"{g}: first argument is not a storage");
                    if (g.Name == "_rebuild_tensor_v3" && args.Length > 6 && args[6] is PyGlobal dt)
                        storage = storage with { DType = DTypeOfTorchDtype(dt.Name) ?? storage.DType };
                    return new TorchTensorRef(storage, Convert.ToInt64(args[1]), Longs(args[2]), Longs(args[3]));
                }
                case ("torch._utils", "_rebuild_parameter" or "_rebuild_parameter_with_state"):
                    return args[0];
                case ("collections", "OrderedDict"):
                    return new PyDict();
                case ("builtins" or "__builtin__", "dict") when args.Length == 0:
                    return new PyDict();
                default:
                    return new PyObject(g, args);
            }
        }

        private static long[] Longs(object? o) => o is object?[] a ? a.Select(Convert.ToInt64).ToArray()
            : throw new InvalidDataException("tensor shape/stride is not a tuple");
    }
}
