using System.Globalization;

namespace BioXBridge.Data;

/// <summary>Which split <c>data prepare</c> makes.</summary>
public enum SplitProtocol
{
    /// <summary>Subjects are never shared between splits (the default, and the honest estimate of transfer).</summary>
    Subjectwise,
    /// <summary>The release's own split: FOG patient 008's windows split at random (window-level: subject leakage),
    /// ISRUC 99 of 100 subjects. See docs/fidelity.md.</summary>
    Release,
}

/// <summary>
/// The release's splits (its make_FOG.py / make_ISRUC.py), reproduced with CPython's generator (<see cref="PythonRandom"/>):
/// both scripts seed Python's <c>random</c> with 6 and make one call, <c>random.shuffle</c>, on a directory listing. The
/// listing order of <c>os.listdir</c> is not defined, so here it is sorted ordinally first (as Python sorts strings);
/// that is the one unavoidable difference (docs/fidelity.md).
/// </summary>
public static class ReleaseSplit
{
    /// <summary>The release's <c>random.seed(6)</c>.</summary>
    public const int Seed = 6;
    /// <summary>The release's <c>--subject_filter</c> default: FOG patient 008 only.</summary>
    public const string FogPatient = "008";
    public static (string Split, int Count)[] Ratio => SubjectSplit.Isruc;

    public const string FogLeakage =
        "WINDOW-LEVEL split of one patient (release protocol): FOG patient 008's 3-s windows overlap 90 % and are split at " +
        "random, so train and test share most of their samples (subject leakage); not an estimate of transfer to new patients";

    /// <summary>The name the release saves window <paramref name="index"/> of a task file under (its shuffle sorts these).</summary>
    public static string FogWindowName(string patient, string session, string task, int index) =>
        $"subject_{(session.Length > 0 ? patient + "_" + session.Replace('/', '_') : patient)}_{task}_segment_{index.ToString("D4", CultureInfo.InvariantCulture)}.npz";

    /// <summary>
    /// The release's window split: names sorted, shuffled, split sizes <c>int(round(r / 99 · total))</c> (round half to
    /// even, as Python's round), each split taking the next <c>size</c> names of the shuffled list, clipped at its end.
    /// Returns per split the window indices (ascending: recording order) and the indices no split took.
    /// </summary>
    public static (IReadOnlyDictionary<string, int[]> Windows, int[] Unused, IReadOnlyDictionary<string, int> Sizes) Windows(
        IReadOnlyList<string> names, int seed)
    {
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw new ArgumentException("window names must be distinct", nameof(names));
        var order = Enumerable.Range(0, names.Count).OrderBy(i => names[i], StringComparer.Ordinal).ToList();
        new PythonRandom(seed).Shuffle(order);
        double units = Ratio.Sum(p => p.Count);
        var sizes = Ratio.ToDictionary(p => p.Split, p => (int)Math.Round(p.Count / units * names.Count, MidpointRounding.ToEven));
        var result = new Dictionary<string, int[]>();
        int at = 0;
        foreach (var (split, _) in Ratio)
        {
            int end = Math.Min(order.Count, at + sizes[split]);
            result[split] = order.Skip(at).Take(Math.Max(0, end - at)).Order().ToArray();
            at = Math.Max(at, end);
        }
        return (result, order.Skip(at).Order().ToArray(), sizes);
    }

    /// <summary>
    /// The release's ISRUC split: file names <c>subject&lt;n&gt;.mat</c> sorted, shuffled, then 33 / 11 / 33 / 22 dealt out
    /// in turn; names left over (one of ISRUC-S1's 100) are not used. Needs at least 99 subjects, each a subject number.
    /// </summary>
    public static (IReadOnlyDictionary<string, string[]> Subjects, string[] Unused) IsrucSubjects(IEnumerable<string> subjects, int seed)
    {
        var files = subjects.Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"subject{s}.mat"
            : throw new InvalidDataException($"isruc-s1 --protocol release: subject '{s}' is not a subject number (the release shuffles the file names subject<n>.mat)"))
            .Order(StringComparer.Ordinal).ToList();
        int needed = Ratio.Sum(p => p.Count);
        if (files.Count < needed)
            throw new InvalidDataException($"isruc-s1 --protocol release: the release deals {string.Join("/", Ratio.Select(p => p.Count))} = {needed} subjects " +
                                           $"from its shuffled list; found {files.Count}. Use the subject-wise default or a split manifest (--split) for fewer");
        new PythonRandom(seed).Shuffle(files);
        string Subject(string f) => f["subject".Length..^".mat".Length];
        var result = new Dictionary<string, string[]>();
        int at = 0;
        foreach (var (split, count) in Ratio)
        {
            result[split] = files.Skip(at).Take(count).Select(Subject).Order(StringComparer.Ordinal).ToArray();
            at += count;
        }
        return (result, files.Skip(at).Select(Subject).ToArray());
    }
}
