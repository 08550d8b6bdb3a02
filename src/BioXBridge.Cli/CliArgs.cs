using System.Globalization;

namespace BioXBridge.Cli;

/// <summary>Thrown for anything the user typed wrong; Program prints the message once and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>One option of a command: its name, whether it takes a value, and the help line.</summary>
public sealed record OptionSpec(string Name, string? ValueName, string Help);

/// <summary>
/// A deliberately small parser: <c>--name value</c>, <c>--name=value</c> and flags. Unknown options, missing values
/// and malformed numbers are usage errors that name the option and what was expected.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> values = new();
    private readonly List<(string Name, string Value)> all = new();
    private readonly string command;

    public CliArgs(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        this.command = command;
        var byName = specs.ToDictionary(s => s.Name);
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--")) throw new UsageException($"{command}: unexpected argument '{arg}'; options start with --. See 'bioxbridge {command} --help'.");
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            if (!byName.TryGetValue(name, out var spec))
                throw new UsageException($"{command}: unknown option '--{name}'. See 'bioxbridge {command} --help'.");
            if (spec.ValueName is null)
            {
                if (eq > 0) throw new UsageException($"{command}: option '--{name}' is a flag and takes no value");
                values[name] = null;
            }
            else if (eq > 0) values[name] = arg[(eq + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--")) values[name] = args[++i];
            else throw new UsageException($"{command}: option '--{name}' needs a value ({spec.ValueName})");
            if (values[name] is string given) all.Add((name, given));
        }
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name) => values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Every value of a repeatable option, in the order given (e.g. several <c>--set</c>).</summary>
    public IReadOnlyList<string> Strings(string name) => all.Where(x => x.Name == name).Select(x => x.Value).ToList();

    /// <summary>Seeds as <c>0-4</c>, <c>0,2,5</c> or a mix (<c>0-2,7</c>).</summary>
    public int[] Range(string name, int[] fallback)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        var result = new List<int>();
        foreach (var part in (v ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                || ends.Length == 2 && int.Parse(ends[1], CultureInfo.InvariantCulture) < int.Parse(ends[0], CultureInfo.InvariantCulture))
                throw new UsageException($"{command}: option '--{name}' expects integers ≥ 0 as a list or ranges such as 0-4 or 0,2,5; got '{v}'");
            int lo = int.Parse(ends[0], CultureInfo.InvariantCulture), hi = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            result.AddRange(Enumerable.Range(lo, hi - lo + 1));
        }
        if (result.Distinct().Count() != result.Count) throw new UsageException($"{command}: option '--{name}' lists a seed twice: '{v}'");
        return result.ToArray();
    }

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
            throw new UsageException($"{command}: option '--{name}' expects an integer ≥ {min}, got '{v}'");
        return n;
    }

    public double Double(string name, double fallback)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !(x > 0))
            throw new UsageException($"{command}: option '--{name}' expects a positive number, got '{v}'");
        return x;
    }

    /// <summary>A comma-separated list such as <c>1,2,4</c>; <c>none</c> gives an empty list.</summary>
    public T[] List<T>(string name, T[] fallback, Func<T, bool> valid, string expected) where T : IParsable<T>
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (v == "none") return [];
        var items = (v ?? "").Split(',', StringSplitOptions.TrimEntries);
        var parsed = new T[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!T.TryParse(items[i], CultureInfo.InvariantCulture, out parsed[i]!) || !valid(parsed[i]))
                throw new UsageException($"{command}: option '--{name}' expects a comma-separated list of {expected} (or 'none'), got '{v}'");
        return parsed;
    }

    public T Enum<T>(string name, T fallback) where T : struct, System.Enum
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        if (v is null || !System.Enum.TryParse<T>(v, ignoreCase: true, out var parsed) || int.TryParse(v, out _))
            throw new UsageException($"{command}: option '--{name}' expects one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, got '{v}'");
        return parsed;
    }

    /// <summary>Parses <paramref name="args"/> for one command, answers <c>--help</c>, else runs <paramref name="handler"/>.</summary>
    public static int Run(string command, string[] args, IReadOnlyList<OptionSpec> options, string about, Func<CliArgs, int> handler)
    {
        var parsed = new CliArgs(command, args, options);
        if (!parsed.Has("help")) return handler(parsed);
        Console.WriteLine(Help($"Usage: bioxbridge {command} [options]", about, options));
        return 0;
    }

    public static string Help(string usage, string about, IReadOnlyList<OptionSpec> specs) =>
        $"{usage}\n\n{about}\n\nOptions:\n" + string.Join("\n", specs.Select(s =>
            $"  {"--" + s.Name + (s.ValueName is null ? "" : " " + s.ValueName),-30} {s.Help}".Replace("\n", "\n" + new string(' ', 33))));
}
