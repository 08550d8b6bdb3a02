using BioXBridge.Pickling;
using System.Text.RegularExpressions;

namespace BioXBridge.Data;

/// <summary>
/// Reads WESAD's per-subject <c>SX/SX.pkl</c> (the WESAD readme): a dict
/// <c>signal → chest → {ACC, ECG, EMG, EDA, Temp, Resp}</c> (700 Hz), <c>signal → wrist → {ACC, BVP, EDA, TEMP}</c>,
/// <c>label</c> (700 Hz) and <c>subject</c>, into a <see cref="WesadSession"/> (chest ECG, wrist BVP, labels).
/// Reads the original Python-2 pickles (protocol 2, arrays' bytes as BINSTRING <c>str</c>) and Python-3 pickles
/// (protocols 0–5: <c>_codecs.encode</c> bytes, BINBYTES, protocol 5's <c>_frombuffer</c>); numpy 1 and numpy 2 module
/// names. Arrays: little-endian float16/32/64 for the signals, any (u)int8–64 or bool for the labels.
/// Every problem is an <see cref="InvalidDataException"/> whose message starts with the file and names the field,
/// e.g. <c>S2.pkl: signal/chest/ECG: expected a float array of shape (n, 1), found int32 array of shape (4000, 3)</c>.
/// Only the three fields used are checked; the others (ACC, EMG, …) may be anything.
/// </summary>
public static partial class WesadReader
{
    public const string EcgField = "signal/chest/ECG";
    public const string BvpField = "signal/wrist/BVP";
    public const string LabelField = "label";

    /// <summary>Reads one <c>SX.pkl</c>. Messages name <paramref name="path"/> as given.</summary>
    public static WesadSession Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: WESAD file not found", path);
        FileStream f;
        try { f = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot open ({e.Message})", e);
        }
        using (f) return Read(f, path, f.Length);
    }

    /// <summary>Reads an <c>SX.pkl</c> from a stream; <paramref name="name"/> names it in messages.</summary>
    public static WesadSession Read(Stream stream, string name, long length = -1)
    {
        if (length < 0 && stream.CanSeek) length = stream.Length - stream.Position;
        if (length == 0) throw new InvalidDataException($"{name}: empty file, not a pickle");
        object? root;
        try
        {
            // A pickle starts with PROTO (0x80) for protocol ≥ 2; protocols 0/1 start with an opcode such as '(' or '}'.
            if (stream.CanSeek)
            {
                int first = stream.ReadByte();
                stream.Seek(-1, SeekOrigin.Current);
                if (first >= 0 && first != 0x80 && "(}]).NIKJMLFGSVUTXc".IndexOf((char)first) < 0)
                    throw new InvalidDataException($"{name}: not a pickle file (first byte 0x{first:x2}); expected WESAD's SX.pkl");
            }
            root = NumpyPickle.Load(stream, length);
        }
        catch (PickleFailure e)
        {
            var where = e.Field.Length > 0 ? $" while reading {e.Field}" : "";
            throw new InvalidDataException(e.Truncated
                ? $"{name}: truncated pickle{where}: {e.Message}; the file is incomplete (re-download or re-extract it)"
                : $"{name}: corrupted pickle{where}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{name}: read error ({e.Message})", e);
        }
        return FromPickle(root, name);
    }

    /// <summary>Builds the session from an unpickled WESAD dict (what <see cref="Read(string)"/> does after unpickling).</summary>
    internal static WesadSession FromPickle(object? root, string name)
    {
        if (root is not PyDict top)
            throw new InvalidDataException($"{name}: expected a dict at the top level, found {NumpyPickle.Describe(root)}");
        var ecg = Column(Field(top, EcgField, name), name, EcgField);
        var bvp = Column(Field(top, BvpField, name), name, BvpField);
        var label = Labels(Field(top, LabelField, name), name);
        string subject = Path.GetFileNameWithoutExtension(name);
        if (top.TryGet("subject", out var sv))
            subject = PyValue.Text(sv) ?? throw new InvalidDataException($"{name}: subject: expected a str, found {NumpyPickle.Describe(sv)}");
        if (label.Length != ecg.Length)
            throw new InvalidDataException(
                $"{name}: {LabelField}: {label.Length} samples, but {EcgField} has {ecg.Length} (both are {WesadSession.EcgHz} Hz and must match)");
        var session = new WesadSession(subject, ecg, bvp, label);
        try { session.Validate(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{name}: {e.Message}", e); }
        return session;
    }

    /// <summary>
    /// The subjects' files under a WESAD root: <c>root/SX/SX.pkl</c>, ordered by subject number (S2, S3, …, S10, …).
    /// Throws <see cref="DirectoryNotFoundException"/> / <see cref="InvalidDataException"/> when there are none.
    /// </summary>
    public static IReadOnlyList<string> FindSessions(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: WESAD folder not found");
        var files = Directory.EnumerateDirectories(root)
            .Select(d => (dir: d, m: SubjectDir().Match(Path.GetFileName(d))))
            .Where(x => x.m.Success)
            .Select(x => (num: int.Parse(x.m.Groups[1].Value), file: Path.Combine(x.dir, Path.GetFileName(x.dir) + ".pkl")))
            .Where(x => File.Exists(x.file))
            .OrderBy(x => x.num).Select(x => x.file).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{root}: no SX/SX.pkl subject files (e.g. S2/S2.pkl) found");
        return files;
    }

    /// <summary>Every session under a WESAD root, in subject order.</summary>
    public static IReadOnlyList<WesadSession> ReadAll(string root) => FindSessions(root).Select(Read).ToList();

    [GeneratedRegex(@"^S(\d+)$")]
    private static partial Regex SubjectDir();

    private static object? Field(PyDict top, string path, string name)
    {
        object? cur = top;
        var parts = path.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            var here = string.Join("/", parts.Take(i));
            if (cur is not PyDict d)
                throw new InvalidDataException($"{name}: {here}: expected a dict, found {NumpyPickle.Describe(cur)}");
            if (!d.TryGet(parts[i], out cur))
                throw new InvalidDataException(
                    $"{name}: {path}: missing (no key '{parts[i]}' in {(here.Length == 0 ? "the top-level dict" : here)}; keys: {string.Join(", ", d.Keys)})");
        }
        return cur;
    }

    private static NumpyPickle.NdArray Array(object? v, string name, string field, string expected)
    {
        if (v is not NumpyPickle.NdArray a || a.DType is null || a.Data is null)
            throw new InvalidDataException($"{name}: {field}: expected {expected}, found {NumpyPickle.Describe(v)}");
        if (a.DType.BigEndian && a.DType.ItemSize > 1)
            throw new InvalidDataException(
                $"{name}: {field}: big-endian arrays ({a.DType.Descr}, byte order '>') are not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))");
        return a;
    }

    private static void CheckSize(NumpyPickle.NdArray a, string name, string field)
    {
        var want = a.Shape.Aggregate(System.Numerics.BigInteger.One, (x, d) => x * d) * a.DType!.ItemSize;
        if (a.Data!.LongLength != want)
            throw new InvalidDataException($"{name}: {field}: {a.Describe()} needs {want} bytes of data but holds {a.Data.LongLength}");
    }

    /// <summary>A float signal of shape (n, 1) (or (n,)) as doubles.</summary>
    private static double[] Column(object? v, string name, string field)
    {
        const string expected = "a float array of shape (n, 1)";
        var a = Array(v, name, field, expected);
        bool shapeOk = a.Shape.Length == 1 || (a.Shape.Length == 2 && a.Shape[1] == 1);
        if (!NumpyPickle.IsFloat(a.DType!) || !shapeOk)
            throw new InvalidDataException($"{name}: {field}: expected {expected}, found {a.Describe()}");
        CheckSize(a, name, field);
        if (a.Count == 0) throw new InvalidDataException($"{name}: {field}: the array is empty");
        return NumpyPickle.ToDoubles(a);
    }

    private static int[] Labels(object? v, string name)
    {
        const string expected = "an integer array of shape (n,)";
        var a = Array(v, name, LabelField, expected);
        bool shapeOk = a.Shape.Length == 1 || (a.Shape.Length == 2 && a.Shape[1] == 1);
        if (!NumpyPickle.IsInteger(a.DType!) || !shapeOk)
            throw new InvalidDataException($"{name}: {LabelField}: expected {expected}, found {a.Describe()}");
        CheckSize(a, name, LabelField);
        long[] l;
        try { l = NumpyPickle.ToLongs(a); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{name}: {LabelField}: {e.Message}", e); }
        var o = new int[l.Length];
        for (int i = 0; i < l.Length; i++)
            o[i] = l[i] is >= int.MinValue and <= int.MaxValue ? (int)l[i]
                : throw new InvalidDataException($"{name}: {LabelField}: value {l[i]} at index {i} is not a label id");
        return o;
    }
}
