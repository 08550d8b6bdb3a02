using System.Globalization;
using System.Numerics;
using System.Text;

namespace BioXBridge.Pickling;

// The values PickleMachine builds. Plain Python values map onto .NET ones (tuple → object?[], list/set → List<object?>,
// unicode str → string, int → long or BigInteger, float → double, bytes → byte[]); only what has no .NET counterpart
// gets a type here. Nothing named in a pickle is ever resolved or executed, so classes stay names and objects stay inert.

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

    /// <remarks>Python-2 byte-string keys become (latin-1) strings, so a key reads the same from a Python 2 or 3 pickle.</remarks>
    public void Set(object? key, object? value)
    {
        key = key switch { null => PyNone.Value, byte[] b => Encoding.Latin1.GetString(b), _ => key };
        if (!map.ContainsKey(key)) order.Add(key);
        map[key] = value;
    }

    public bool TryGet(object key, out object? value) => map.TryGetValue(key, out value);
    public IEnumerable<KeyValuePair<object, object?>> Items => order.Select(k => new KeyValuePair<object, object?>(k, map[k]));
    public IReadOnlyList<object> Keys => order;
    public int Count => order.Count;
}

/// <summary>None as a dict key (a .NET dictionary takes no null key).</summary>
internal sealed class PyNone
{
    public static readonly PyNone Value = new();
    public override string ToString() => "None";
}

internal static class PyValue
{
    /// <summary>A str either way it was pickled: unicode, or Python-2 8-bit data read as latin-1.</summary>
    public static string? Text(object? o) => o switch
    {
        string s => s,
        byte[] b => Encoding.Latin1.GetString(b),
        _ => null,
    };

    /// <summary>A value as an error message names it: "the int 3", "a tuple of 2", "an object of class x.Y".</summary>
    public static string Describe(object? o) => o switch
    {
        null or PyNone => "None",
        PyDict => "a dict",
        string s => $"the str '{Short(s)}'",
        byte[] b => $"the str '{Short(Encoding.Latin1.GetString(b))}'",
        long or BigInteger => $"the int {o}",
        double d => $"the float {d.ToString(CultureInfo.InvariantCulture)}",
        bool b => b ? "True" : "False",
        object?[] t => $"a tuple of {t.Length}",
        List<object?> l => $"a list of {l.Count}",
        PyObject p => $"an object of class {p.Type}",
        PyGlobal g => $"the class/function {g}",
        _ => o.GetType().Name,
    };

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
