using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BioXBridge.Pickling;

namespace BioXBridge.Data;

/// <summary>
/// Reads pickled numpy arrays, as in WESAD's <c>SX.pkl</c> (a Python-2 pickle of nested dicts of arrays), on the
/// shared <see cref="PickleMachine"/>: numpy arrays (<c>numpy.core.multiarray._reconstruct</c> /
/// <c>numpy._core.multiarray._reconstruct</c> + BUILD, and protocol 5's <c>numpy.core.numeric._frombuffer</c>) become
/// <see cref="NdArray"/>s holding the raw element bytes, which <see cref="ToDoubles"/> / <see cref="ToLongs"/> convert.
/// Failures are <see cref="PickleFailure"/>s carrying the byte offset and the dict-key path being read
/// (e.g. <c>signal/chest/ECG</c>), so callers can name the file and field.
/// </summary>
internal static class NumpyPickle
{
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
            if (state is object?[] { Length: >= 2 } s && PyValue.Text(s[1]) is { Length: 1 } bo) ByteOrder = bo[0];
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

    /// <summary>Unpickles one object from <paramref name="stream"/> (<paramref name="length"/> bytes, or −1 if unknown).</summary>
    public static object? Load(Stream stream, long length = -1) => PickleMachine.Load(stream, length, NumpyClasses.Instance);

    public static string Describe(object? o) => NumpyClasses.Instance.Describe(o);

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

    /// <summary>numpy's classes; Python-2 str stays raw bytes, as array data arrives that way.</summary>
    private sealed class NumpyClasses : PickleClasses
    {
        public static readonly NumpyClasses Instance = new();

        public override object? Call(PyGlobal g, object?[] args)
        {
            switch (g.Module, g.Name)
            {
                case ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct"):
                    return new NdArray();
                case ("numpy", "dtype"):
                    return new DType(PyValue.Text(args.FirstOrDefault()) ?? throw new InvalidDataException($"numpy.dtype({Describe(args.FirstOrDefault())})"));
                case ("numpy.core.numeric" or "numpy._core.numeric", "_frombuffer"):
                {
                    // protocol 5: _frombuffer(buffer, dtype, shape, order)
                    if (args.Length < 4) throw new InvalidDataException($"_frombuffer with {args.Length} arguments");
                    return new NdArray
                    {
                        Data = args[0] as byte[] ?? throw new InvalidDataException($"_frombuffer buffer is {Describe(args[0])}"),
                        DType = args[1] as DType ?? throw new InvalidDataException($"_frombuffer dtype is {Describe(args[1])}"),
                        Shape = Longs(args[2], "shape"),
                        Fortran = PyValue.Text(args[3]) == "F",
                    };
                }
                // The rest of what a data pickle of arrays calls (bytes for protocol < 3, dicts); anything else (os.system,
                // builtins.eval, a user class) is refused by name rather than kept as an inert record: SX.pkl holds none.
                case ("_codecs", "encode"):
                case ("builtins" or "__builtin__", "bytes" or "bytearray" or "dict"):
                case ("collections", "OrderedDict"):
                    return base.Call(g, args);
                default:
                    throw new InvalidDataException($"the pickle calls {g.Module}.{g.Name}, which is not on the reader's allow-list (numpy arrays and dtypes, bytes, dicts)");
            }
        }

        public override void Build(object? target, object? state)
        {
            switch (target)
            {
                case NdArray a: a.SetState(state); break;
                case DType d: d.SetState(state); break;
                default: base.Build(target, state); break;
            }
        }

        public override string Describe(object? o) => o switch
        {
            NdArray a => a.Describe(),
            DType d => $"the dtype {d.Name}",
            _ => base.Describe(o),
        };
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
