using System.Text;

namespace BioXBridge.Pickling;

/// <summary>
/// What a <see cref="PickleMachine"/> makes of the parts of a pickle that name Python code: calls of a global
/// (REDUCE, NEWOBJ, OBJ, INST), BUILD states and persistent ids. A reader derives from this to recognise its own
/// classes (numpy arrays, torch tensors) and leaves the rest to these defaults, which understand only what plain
/// Python data needs: dicts, OrderedDicts and the ways bytes are pickled.
/// </summary>
internal class PickleClasses
{
    public static readonly PickleClasses Plain = new();

    /// <summary>
    /// Python 2's <c>str</c> (STRING, BINSTRING, SHORT_BINSTRING) is 8-bit data: as raw bytes it is half the memory of
    /// a .NET string (numpy arrays arrive this way in Python-2 pickles); readers that only meet names set this false
    /// to get it as latin-1 text, as Python 3's <c>pickle.load(f, encoding='latin1')</c> does.
    /// </summary>
    public virtual bool Python2StrAsBytes => true;

    /// <summary>The value of <c>global(*args)</c>; unknown classes become inert <see cref="PyObject"/>s.</summary>
    public virtual object? Call(PyGlobal g, object?[] args)
    {
        switch (g.Module, g.Name)
        {
            case ("_codecs", "encode"):
                return Encode(args);
            case ("builtins" or "__builtin__", "bytes" or "bytearray"):
                return args.Length == 0 ? Array.Empty<byte>()
                    : args[0] is byte[] b ? b
                    : args[0] is string s ? Encoding.Latin1.GetBytes(s)
                    : args[0] is List<object?> l ? l.Select(v => checked((byte)(long)v!)).ToArray()
                    : throw new InvalidDataException($"{g}({Describe(args[0])})");
            case ("collections", "OrderedDict"):
            case ("builtins" or "__builtin__", "dict") when args.Length == 0:
                return new PyDict();
            default:
                return new PyObject(g, args);
        }
    }

    /// <summary>Applies a BUILD state; dict and list subclasses (OrderedDict's _metadata, …) keep none.</summary>
    public virtual void Build(object? target, object? state)
    {
        if (target is PyObject o) o.State = state;
    }

    /// <summary>The object a persistent id (PERSID, BINPERSID) stands for; plain data pickles have none.</summary>
    public virtual object? Persistent(object? pid) =>
        throw new InvalidDataException("persistent ids are not supported (not a plain data pickle)");

    /// <summary>A value as error messages name it; readers add their own types.</summary>
    public virtual string Describe(object? o) => PyValue.Describe(o);

    // Python 3 pickles bytes for protocols < 3 as _codecs.encode(text, 'latin1'), text holding one char per byte.
    private object Encode(object?[] args)
    {
        var text = args.Length > 0 ? args[0] as string : null;
        var enc = args.Length > 1 ? (PyValue.Text(args[1]) ?? "").ToLowerInvariant().Replace('_', '-') : "utf-8";
        if (text is null) throw new InvalidDataException($"_codecs.encode of {Describe(args.FirstOrDefault())}");
        return enc switch
        {
            "latin1" or "latin-1" or "iso-8859-1" or "l1" => Encoding.Latin1.GetBytes(text),
            "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
            "ascii" => Encoding.ASCII.GetBytes(text),
            _ => throw new InvalidDataException($"_codecs.encode with encoding '{enc}'"),
        };
    }
}
