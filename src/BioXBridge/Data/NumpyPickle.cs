using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace BioXBridge.Data;

/// <summary>
/// A small, self-contained pickle machine (protocols 0–5) for dicts of numpy arrays, as in WESAD's <c>SX.pkl</c>.
/// It builds plain values: dict → <see cref="Dict"/>, list → <c>List&lt;object?&gt;</c>, tuple → <c>object?[]</c>,
/// unicode str → string, Python-2 <c>str</c> (STRING/BINSTRING/SHORT_BINSTRING) and bytes → <c>byte[]</c> (the raw
/// latin-1 bytes, no 2-bytes-per-char detour through a .NET string), int → long or BigInteger, float → double.
/// numpy arrays (<c>numpy.core.multiarray._reconstruct</c> / <c>numpy._core.multiarray._reconstruct</c> + BUILD,
/// and protocol 5's <c>numpy.core.numeric._frombuffer</c>) become <see cref="NdArray"/>; Python 3's protocol-2 bytes
/// (<c>_codecs.encode(str, 'latin1')</c>) become <c>byte[]</c>; any other class becomes an inert <see cref="PyObject"/>.
/// Nothing is ever resolved or executed. Failures are <see cref="PickleFailure"/>s carrying the byte offset and the
/// dict-key path being read (e.g. <c>signal/chest/ECG</c>), so callers can name the file and field.
/// </summary>
/// <remarks>
/// Why not Razorvine.Pickle: its constructor registry is process-wide and shared with TorchSharp.PyBridge, its
/// Python-2 strings arrive as .NET strings (3× the array's size in memory while loading a ~300 MB SX.pkl), and its
/// failures on damaged files are library exceptions without offset or field. TorchCheckpoint's machine is private and
/// torch-specific (persistent storage ids, no numpy), so this one is separate.
/// </remarks>
internal static class NumpyPickle
{
    /// <summary>An insertion-ordered dict; Python-2 byte-string keys are stored as (latin-1) strings.</summary>
    internal sealed class Dict
    {
        private readonly Dictionary<object, object?> map = new();
        private readonly List<object> order = new();

        public void Set(object? key, object? value)
        {
            key = key switch { null => "None", byte[] b => Encoding.Latin1.GetString(b), _ => key };
            if (!map.ContainsKey(key)) order.Add(key);
            map[key] = value;
        }

        public bool TryGet(string key, out object? value) => map.TryGetValue(key, out value);
        public IReadOnlyList<object> Keys => order;
        public int Count => order.Count;
    }

    /// <summary>A numpy dtype as pickled: descriptor ('f8', 'i4', …) and byte order ('<', '>', '|', '=').</summary>
    internal sealed class DType(string descr)
    {
        public string Descr { get; } = descr;
        public char ByteOrder { get; set; } = '=';
        public char Kind => Descr.Length > 0 ? Descr[0] : '?';
        public int ItemSize => Descr.Length > 1 && int.TryParse(Descr.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        public bool BigEndian => ByteOrder == '>' || (ByteOrder == '=' && !BitConverter.IsLittleEndian);

        /// <summary>numpy's name: float64, int32, uint8, bool, … (the descriptor itself when unusual).</summary>
        public string Name => (Kind, ItemSize) switch
        {
            ('f', 2 or 4 or 8) => $"float{ItemSize * 8}",
            ('i', 1 or 2 or 4 or 8) => $"int{ItemSize * 8}",
            ('u', 1 or 2 or 4 or 8) => $"uint{ItemSize * 8}",
            ('b', 1) => "bool",
            _ => $"dtype '{Descr}'",
        } + (BigEndian && ItemSize > 1 ? " (big-endian)" : "");

        public void SetState(object? state)
        {
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags); byteorder at index 1
            if (state is object?[] { Length: >= 2 } s && Text(s[1]) is { Length: 1 } bo) ByteOrder = bo[0];
        }
    }

    /// <summary>A numpy ndarray: shape, dtype, order and the raw element bytes (as pickled, not yet checked).</summary>
    internal sealed class NdArray
    {
        public long[] Shape { get; set; } = [];
        public DType? DType { get; set; }
        public bool Fortran { get; set; }
        public byte[]? Data { get; set; }
        public long Count => Shape.Aggregate(1L, (a, b) => checked(a * b));

        public string Describe() =>
            $"{DType?.Name ?? "untyped"} array of shape ({string.Join(", ", Shape)}{(Shape.Length == 1 ? "," : "")})";

        public void SetState(object? state)
        {
            // ndarray.__reduce__ state: (version, shape, dtype, is_fortran, rawdata); very old pickles omit the version
            if (state is not object?[] s || s.Length is not (4 or 5))
                throw new InvalidDataException($"ndarray state is not a 4- or 5-tuple but {NumpyPickle.Describe(state)}");
            int o = s.Length == 5 ? 1 : 0;
            Shape = Longs(s[o], "shape");
            DType = s[o + 1] as DType ?? throw new InvalidDataException($"ndarray dtype is {NumpyPickle.Describe(s[o + 1])}");
            Fortran = Truthy(s[o + 2]);
            Data = s[o + 3] switch
            {
                byte[] b => b,
                string str => Encoding.Latin1.GetBytes(str),
                List<object?> => throw new InvalidDataException("object arrays (dtype 'O') are not supported"),
                var v => throw new InvalidDataException($"ndarray data is {NumpyPickle.Describe(v)}"),
            };
        }
    }

    /// <summary>A Python global (module.name), never resolved.</summary>
    internal sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    /// <summary>An object of a class this reader does not interpret.</summary>
    internal sealed class PyObject(Global type, object?[] args)
    {
        public Global Type { get; } = type;
        public object?[] Args { get; } = args;
        public object? State { get; set; }
    }

    /// <summary>A damaged or unsupported pickle: where (byte offset) and in which dict field it happened.</summary>
    internal sealed class PickleFailure(string message, long offset, string field, bool truncated, Exception? inner = null)
        : Exception(message, inner)
    {
        public long Offset { get; } = offset;
        /// <summary>The dict-key path being read, e.g. <c>signal/chest/ECG</c>; empty at the top level.</summary>
        public string Field { get; } = field;
        public bool Truncated { get; } = truncated;
    }

    /// <summary>Unpickles one object from <paramref name="stream"/> (<paramref name="length"/> bytes, or −1 if unknown).</summary>
    public static object? Load(Stream stream, long length = -1) => new Machine(stream, length).Load();

    public static string? Text(object? o) => o switch
    {
        string s => s,
        byte[] b => Encoding.Latin1.GetString(b),
        _ => null,
    };

    public static string Describe(object? o) => o switch
    {
        null => "None",
        NdArray a => a.Describe(),
        Dict => "a dict",
        string s => $"the str '{Short(s)}'",
        byte[] b => $"the str '{Short(Encoding.Latin1.GetString(b))}'",
        long or BigInteger => $"the int {o}",
        double d => $"the float {d.ToString(CultureInfo.InvariantCulture)}",
        bool b => b ? "True" : "False",
        object?[] t => $"a tuple of {t.Length}",
        List<object?> l => $"a list of {l.Count}",
        PyObject p => $"an object of class {p.Type}",
        Global g => $"the class/function {g}",
        DType d => $"the dtype {d.Name}",
        _ => o.GetType().Name,
    };

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static bool Truthy(object? o) => o switch
    {
        bool b => b,
        long l => l != 0,
        null => false,
        _ => throw new InvalidDataException($"expected a bool, found {Describe(o)}"),
    };

    private static long[] Longs(object? o, string what) => o is object?[] t
        ? t.Select(v => v is long l && l >= 0 ? l : throw new InvalidDataException($"{what} holds {Describe(v)}")).ToArray()
        : throw new InvalidDataException($"{what} is {Describe(o)}, not a tuple");

    private sealed class Machine(Stream input, long length)
    {
        private readonly Stream s = input is BufferedStream or MemoryStream ? input : new BufferedStream(input, 1 << 16);
        private long pos;
        private readonly List<object?> stack = new();
        private readonly List<int> marks = new();
        private readonly Dictionary<long, object?> memo = new();
        private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

        public object? Load()
        {
            long opAt = 0;
            try
            {
                while (true)
                {
                    opAt = pos;
                    int op = s.ReadByte();
                    if (op < 0) throw new EndOfStreamException("the file ends before the pickle's STOP opcode");
                    pos++;
                    if (Step((byte)op, out var result)) return result;
                }
            }
            catch (PickleFailure) { throw; }
            catch (EndOfStreamException e)
            {
                throw new PickleFailure($"{e.Message} (at byte {pos}{(length >= 0 ? $" of {length}" : "")})", pos, CurrentField(), true, e);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // InvalidDataException from the checks above, or the cast/format/overflow/IO exception a damaged file causes
                var what = e is InvalidDataException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                throw new PickleFailure($"{what} (opcode at byte {opAt})", opAt, CurrentField(), false, e);
            }
        }

        // ---- input -------------------------------------------------------------------------------------------

        private byte Byte()
        {
            int b = s.ReadByte();
            if (b < 0) throw new EndOfStreamException("the file ends inside an opcode");
            pos++;
            return (byte)b;
        }

        private byte[] Bytes(long n, string what)
        {
            if (n < 0) throw new InvalidDataException($"negative length {n} of a {what}");
            if (length >= 0 && n > length - pos)
                throw new EndOfStreamException($"a {what} of {n} bytes starts at byte {pos} but only {length - pos} bytes remain");
            if (n > Array.MaxLength) throw new InvalidDataException($"a {what} of {n} bytes is too large");
            var buf = new byte[n];
            int read = 0;
            while (read < n)
            {
                int k = s.Read(buf, read, (int)n - read);
                if (k == 0) throw new EndOfStreamException($"the file ends inside a {what} of {n} bytes (after {read})");
                read += k;
            }
            pos += n;
            return buf;
        }

        private int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, "4-byte integer"));
        private uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, "4-byte length"));
        private long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, "8-byte length"));

        private string Line()
        {
            var sb = new StringBuilder();
            while (true)
            {
                byte b = Byte();
                if (b == (byte)'\n') return sb.ToString();
                if (sb.Length > 1 << 20) throw new InvalidDataException("text argument longer than 1 MiB without a newline");
                sb.Append((char)b);   // protocol 0 text is ASCII (escapes for the rest)
            }
        }

        // ---- stack -------------------------------------------------------------------------------------------

        private object? Pop()
        {
            if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count))
                throw new InvalidDataException("pickle stack underflow");
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }

        private object? Peek() => stack.Count > 0 ? stack[^1] : throw new InvalidDataException("pickle stack underflow");

        private List<object?> PopMark()
        {
            if (marks.Count == 0) throw new InvalidDataException("pickle MARK missing");
            int m = marks[^1];
            marks.RemoveAt(marks.Count - 1);
            var items = stack.GetRange(m, stack.Count - m);
            stack.RemoveRange(m, stack.Count - m);
            return items;
        }

        private object? Memo(long key) => memo.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"memo key {key} is missing");

        private static object?[] Tuple(object? o) => o as object?[] ?? throw new InvalidDataException($"expected a tuple, found {Describe(o)}");
        private static List<object?> AsList(object? o) => o as List<object?> ?? throw new InvalidDataException($"append to {Describe(o)}");
        private static Dict AsDict(object? o) => o as Dict ?? throw new InvalidDataException($"set item on {Describe(o)}");

        private static object Long(ReadOnlySpan<byte> b)
        {
            if (b.Length == 0) return 0L;
            var big = new BigInteger(b, isUnsigned: false, isBigEndian: false);
            return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
        }

        // ---- opcodes -----------------------------------------------------------------------------------------

        private bool Step(byte op, out object? result)
        {
            result = null;
            switch (op)
            {
                case 0x80: { var p = Byte(); if (p > 5) throw new InvalidDataException($"unsupported pickle protocol {p}"); break; }
                case 0x95: Int64(); break;                                      // FRAME (a length hint only)
                case (byte)'.': result = Pop(); return true;                    // STOP
                case (byte)'(': marks.Add(stack.Count); break;                  // MARK
                case (byte)'0': Pop(); break;                                   // POP
                case (byte)'1': PopMark(); break;                               // POP_MARK
                case (byte)'2': stack.Add(Peek()); break;                       // DUP
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'J': stack.Add((long)Int32()); break;
                case (byte)'K': stack.Add((long)Byte()); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, "2-byte integer"))); break;
                case 0x8A: stack.Add(Long(Bytes(Byte(), "LONG1"))); break;
                case 0x8B: stack.Add(Long(Bytes(Int32(), "LONG4"))); break;
                case (byte)'I':
                {
                    var t = Line();
                    stack.Add(t == "00" ? false : t == "01" ? true : (object)long.Parse(t, NumberStyles.AllowLeadingSign, Inv));
                    break;
                }
                case (byte)'L':
                {
                    var big = BigInteger.Parse(Line().TrimEnd('L'), NumberStyles.AllowLeadingSign, Inv);
                    stack.Add(big >= long.MinValue && big <= long.MaxValue ? (long)big : big);
                    break;
                }
                case (byte)'F': stack.Add(double.Parse(Line(), NumberStyles.Float, Inv)); break;
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8, "BINFLOAT"))); break;
                // unicode strings
                case (byte)'X': stack.Add(Utf8(Bytes(UInt32(), "BINUNICODE"))); break;
                case 0x8C: stack.Add(Utf8(Bytes(Byte(), "SHORT_BINUNICODE"))); break;
                case 0x8D: stack.Add(Utf8(Bytes(Int64(), "BINUNICODE8"))); break;
                case (byte)'V': stack.Add(RawUnicodeEscape(Line())); break;
                // Python-2 str: raw 8-bit data
                case (byte)'S': stack.Add(PyStringLiteral(Line())); break;
                case (byte)'T': stack.Add(Bytes(Int32(), "BINSTRING")); break;
                case (byte)'U': stack.Add(Bytes(Byte(), "SHORT_BINSTRING")); break;
                // Python-3 bytes / bytearray
                case (byte)'B': stack.Add(Bytes(UInt32(), "BINBYTES")); break;
                case (byte)'C': stack.Add(Bytes(Byte(), "SHORT_BINBYTES")); break;
                case 0x8E: stack.Add(Bytes(Int64(), "BINBYTES8")); break;
                case 0x96: stack.Add(Bytes(Int64(), "BYTEARRAY8")); break;
                case 0x97: throw new InvalidDataException("out-of-band buffers (NEXT_BUFFER) are not supported");
                case 0x98: break;                                               // READONLY_BUFFER
                // containers
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case (byte)'t': stack.Add(PopMark().ToArray()); break;
                case 0x85: stack.Add(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)'l': stack.Add(PopMark()); break;
                case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; }
                case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                case (byte)'}': stack.Add(new Dict()); break;
                case (byte)'d': { var items = PopMark(); var d = new Dict(); SetItems(d, items); stack.Add(d); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek()).Set(k, v); break; }
                case (byte)'u': { var items = PopMark(); SetItems(AsDict(Peek()), items); break; }
                case 0x8F: stack.Add(new List<object?>()); break;               // EMPTY_SET
                case 0x90: { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                case 0x91: stack.Add(PopMark()); break;                         // FROZENSET
                // classes and calls
                case (byte)'c': { var module = Line(); var name = Line(); stack.Add(new Global(module, name)); break; }
                case 0x93:
                {
                    var name = Pop() as string; var module = Pop() as string;
                    if (name is null || module is null) throw new InvalidDataException("STACK_GLOBAL without two strings");
                    stack.Add(new Global(module, name));
                    break;
                }
                case (byte)'R': { var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; }   // REDUCE
                case 0x81: { var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; }        // NEWOBJ
                case 0x92: { Pop(); var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; } // NEWOBJ_EX
                case (byte)'o': { var items = PopMark(); if (items.Count == 0) throw new InvalidDataException("OBJ without a class"); stack.Add(Call(items[0], items.Skip(1).ToArray())); break; }
                case (byte)'i': { var g = new Global(Line(), Line()); stack.Add(Call(g, PopMark().ToArray())); break; }
                case (byte)'b': Build(Pop(), Peek()); break;                   // BUILD
                case (byte)'Q' or (byte)'P': throw new InvalidDataException("persistent ids are not supported (not a plain data pickle)");
                // memo
                case (byte)'p': memo[long.Parse(Line(), Inv)] = Peek(); break;
                case (byte)'q': memo[Byte()] = Peek(); break;
                case (byte)'r': memo[UInt32()] = Peek(); break;
                case 0x94: memo[memo.Count] = Peek(); break;                    // MEMOIZE
                case (byte)'g': stack.Add(Memo(long.Parse(Line(), Inv))); break;
                case (byte)'h': stack.Add(Memo(Byte())); break;
                case (byte)'j': stack.Add(Memo(UInt32())); break;
                default: throw new InvalidDataException($"unknown pickle opcode 0x{op:x2}");
            }
            return false;
        }

        private static void SetItems(Dict d, List<object?> items)
        {
            if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of items");
            for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
        }

        private static void Build(object? state, object? target)
        {
            switch (target)
            {
                case NdArray a: a.SetState(state); break;
                case DType d: d.SetState(state); break;
                case PyObject o: o.State = state; break;
                default: break;   // dict/list subclasses etc.: state ignored
            }
        }

        private static object? Call(object? callable, object?[] args)
        {
            if (callable is not Global g) throw new InvalidDataException($"call of {Describe(callable)}");
            switch (g.Module, g.Name)
            {
                case ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct"):
                    return new NdArray();
                case ("numpy", "dtype"):
                    return new DType(Text(args.FirstOrDefault()) ?? throw new InvalidDataException($"numpy.dtype({Describe(args.FirstOrDefault())})"));
                case ("numpy.core.numeric" or "numpy._core.numeric", "_frombuffer"):
                {
                    // protocol 5: _frombuffer(buffer, dtype, shape, order)
                    if (args.Length < 4) throw new InvalidDataException($"_frombuffer with {args.Length} arguments");
                    return new NdArray
                    {
                        Data = args[0] as byte[] ?? throw new InvalidDataException($"_frombuffer buffer is {Describe(args[0])}"),
                        DType = args[1] as DType ?? throw new InvalidDataException($"_frombuffer dtype is {Describe(args[1])}"),
                        Shape = Longs(args[2], "shape"),
                        Fortran = Text(args[3]) == "F",
                    };
                }
                case ("_codecs", "encode"):
                {
                    // Python 3, protocol < 3: bytes are pickled as _codecs.encode(latin-1 text, 'latin1')
                    var text = args.Length > 0 ? args[0] as string : null;
                    var enc = args.Length > 1 ? (Text(args[1]) ?? "").ToLowerInvariant().Replace('_', '-') : "utf-8";
                    if (text is null) throw new InvalidDataException($"_codecs.encode of {Describe(args.FirstOrDefault())}");
                    return enc switch
                    {
                        "latin1" or "latin-1" or "iso-8859-1" or "l1" => Encoding.Latin1.GetBytes(text),
                        "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
                        "ascii" => Encoding.ASCII.GetBytes(text),
                        _ => throw new InvalidDataException($"_codecs.encode with encoding '{enc}'"),
                    };
                }
                case ("builtins" or "__builtin__", "bytes" or "bytearray"):
                    return args.Length == 0 ? Array.Empty<byte>()
                        : args[0] is byte[] b ? b
                        : args[0] is string s2 ? Encoding.Latin1.GetBytes(s2)
                        : args[0] is List<object?> l ? l.Select(v => checked((byte)(long)v!)).ToArray()
                        : throw new InvalidDataException($"{g}({Describe(args[0])})");
                case ("collections", "OrderedDict"):
                case ("builtins" or "__builtin__", "dict") when args.Length == 0:
                    return new Dict();
                default:
                    return new PyObject(g, args);
            }
        }

        private static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);

        /// <summary>Protocol 0 STRING argument: a Python-2 repr ('…' or "…") with backslash escapes → raw bytes.</summary>
        private static byte[] PyStringLiteral(string repr)
        {
            if (repr.Length < 2 || repr[0] != repr[^1] || (repr[0] != '\'' && repr[0] != '"'))
                throw new InvalidDataException("STRING argument is not quoted");
            var body = repr.AsSpan(1, repr.Length - 2);
            var o = new List<byte>(body.Length);
            for (int i = 0; i < body.Length; i++)
            {
                char c = body[i];
                if (c != '\\' || i + 1 == body.Length) { o.Add((byte)c); continue; }
                char e = body[++i];
                switch (e)
                {
                    case 'n': o.Add(10); break;
                    case 'r': o.Add(13); break;
                    case 't': o.Add(9); break;
                    case 'a': o.Add(7); break;
                    case 'b': o.Add(8); break;
                    case 'f': o.Add(12); break;
                    case 'v': o.Add(11); break;
                    case 'x':
                        if (i + 2 >= body.Length) throw new InvalidDataException("bad \\x escape in STRING");
                        o.Add(byte.Parse(body.Slice(i + 1, 2), NumberStyles.HexNumber, Inv)); i += 2; break;
                    case >= '0' and <= '7':
                    {
                        int v = 0, k = 0;
                        while (k < 3 && i < body.Length && body[i] >= '0' && body[i] <= '7') { v = v * 8 + (body[i] - '0'); i++; k++; }
                        i--; o.Add((byte)v); break;
                    }
                    default: o.Add((byte)e); break;   // \\, \', \" and unknown escapes keep the character
                }
            }
            return o.ToArray();
        }

        /// <summary>Protocol 0 UNICODE argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX; everything else latin-1).</summary>
        private static string RawUnicodeEscape(string t)
        {
            var sb = new StringBuilder(t.Length);
            for (int i = 0; i < t.Length; i++)
            {
                if (t[i] == '\\' && i + 1 < t.Length && (t[i + 1] == 'u' || t[i + 1] == 'U'))
                {
                    int n = t[i + 1] == 'u' ? 4 : 8;
                    if (i + 2 + n > t.Length) throw new InvalidDataException("bad \\u escape in UNICODE");
                    sb.Append(char.ConvertFromUtf32(int.Parse(t.AsSpan(i + 2, n), NumberStyles.HexNumber, Inv)));
                    i += 1 + n;
                }
                else sb.Append(t[i]);
            }
            return sb.ToString();
        }

        /// <summary>
        /// The dict-key path being read, from the stack. A dict with items above it is being filled: by a SETITEMS batch
        /// when a MARK follows it, else item by item (SETITEM; always so in protocol 0). Short strings at key positions are
        /// keys; a dict at a value position nests when it is being filled too (in a batch: a MARK follows it, or it is
        /// still empty; outside a batch it must be, as SETITEM consumes finished values). Scanning stops where a value's
        /// construction begins (a class for a call, STACK_GLOBAL's names, a BUILD state's MARK).
        /// A heuristic, used only to name the field in error messages.
        /// </summary>
        private string CurrentField()
        {
            var markSet = new HashSet<int>(marks);
            var path = new List<string>();
            bool inDict = false, atKey = true, batched = false;
            string? key = null;
            for (int i = 0; i < stack.Count; i++)
            {
                if (inDict && markSet.Contains(i) && stack[i - 1] is not Dict) break;
                var v = stack[i];
                bool markNext = markSet.Contains(i + 1), above = i + 1 < stack.Count;
                if (!inDict)
                {
                    if (v is Dict && above) { inDict = true; batched = markNext; atKey = true; key = null; }
                    continue;
                }
                if (atKey)
                {
                    if (Text(v) is { Length: > 0 and <= 64 } t && t.All(ch => ch >= ' ' && ch < 127)) { key = t; atKey = false; }
                    // anything else at a key position continues the value in progress
                }
                else if (v is Dict d && above && key is not null && (markNext || !batched || d.Count == 0))
                {
                    path.Add(key); key = null; atKey = true; batched = markNext;
                }
                else if (v is Global || (v is string && i + 2 == stack.Count && stack[i + 1] is string)) break;
                else atKey = true;
            }
            if (key is not null) path.Add(key);
            return string.Join("/", path);
        }
    }

    /// <summary>The array's elements as doubles (float16/32/64 and integer dtypes; little-endian, C or 1-column order).</summary>
    public static double[] ToDoubles(NdArray a)
    {
        var d = a.DType!;
        var raw = a.Data.AsSpan();
        var o = new double[a.Count];
        switch (d.Kind, d.ItemSize)
        {
            case ('f', 8): MemoryMarshal.Cast<byte, double>(raw).CopyTo(o); break;
            case ('f', 4): { var f = MemoryMarshal.Cast<byte, float>(raw); for (int i = 0; i < o.Length; i++) o[i] = f[i]; break; }
            case ('f', 2): { var f = MemoryMarshal.Cast<byte, Half>(raw); for (int i = 0; i < o.Length; i++) o[i] = (double)f[i]; break; }
            default: { var l = ToLongs(a); for (int i = 0; i < o.Length; i++) o[i] = l[i]; break; }
        }
        return o;
    }

    /// <summary>The elements of an integer or bool array as longs (uint64 values above long.MaxValue are rejected).</summary>
    public static long[] ToLongs(NdArray a)
    {
        var d = a.DType!;
        var raw = a.Data.AsSpan();
        var o = new long[a.Count];
        switch (d.Kind, d.ItemSize)
        {
            case ('i', 1): { var v = MemoryMarshal.Cast<byte, sbyte>(raw); for (int i = 0; i < o.Length; i++) o[i] = v[i]; break; }
            case ('u' or 'b', 1): for (int i = 0; i < o.Length; i++) o[i] = raw[i]; break;
            case ('i', 2): { var v = MemoryMarshal.Cast<byte, short>(raw); for (int i = 0; i < o.Length; i++) o[i] = v[i]; break; }
            case ('u', 2): { var v = MemoryMarshal.Cast<byte, ushort>(raw); for (int i = 0; i < o.Length; i++) o[i] = v[i]; break; }
            case ('i', 4): { var v = MemoryMarshal.Cast<byte, int>(raw); for (int i = 0; i < o.Length; i++) o[i] = v[i]; break; }
            case ('u', 4): { var v = MemoryMarshal.Cast<byte, uint>(raw); for (int i = 0; i < o.Length; i++) o[i] = v[i]; break; }
            case ('i', 8): MemoryMarshal.Cast<byte, long>(raw).CopyTo(o); break;
            case ('u', 8):
            {
                var v = MemoryMarshal.Cast<byte, ulong>(raw);
                for (int i = 0; i < o.Length; i++) o[i] = v[i] <= long.MaxValue ? (long)v[i] : throw new InvalidDataException($"uint64 value {v[i]} at index {i} is too large");
                break;
            }
            default: throw new InvalidDataException($"{d.Name} is not an integer dtype");
        }
        return o;
    }

    /// <summary>True for the element types <see cref="ToDoubles"/> / <see cref="ToLongs"/> read.</summary>
    public static bool IsFloat(DType d) => d.Kind == 'f' && d.ItemSize is 2 or 4 or 8;
    public static bool IsInteger(DType d) => (d.Kind is 'i' or 'u' && d.ItemSize is 1 or 2 or 4 or 8) || (d.Kind == 'b' && d.ItemSize == 1);
}
