namespace BioXBridge.Data;

/// <summary>
/// Subject-wise split assignment. The release shuffled an unordered directory listing, which no one can reproduce; here
/// names are sorted ordinally first, so the same names and seed give the same split on every machine.
/// </summary>
public static class SubjectSplit
{
    /// <summary>The paper's WESAD roles: 5 train / 2 val / 5 pair / 3 test.</summary>
    public static (string Split, int Count)[] Wesad => [("train", 5), ("val", 2), ("pair", 5), ("test", 3)];

    /// <summary>The paper's ISRUC ratio 33 : 11 : 33 : 22 (99 subjects), also used for FOG's subject-wise split.</summary>
    public static (string Split, int Count)[] Isruc => [("train", 33), ("val", 11), ("pair", 33), ("test", 22)];

    /// <summary>
    /// Scales split counts to <paramref name="n"/> subjects by largest remainder, every role keeping at least one
    /// subject (12 FOG patients at 33 : 11 : 33 : 22 → 4 / 1 / 4 / 3).
    /// </summary>
    public static (string Split, int Count)[] Scale(int n, (string Split, int Count)[] parts)
    {
        if (n < parts.Length) throw new ArgumentException($"a {string.Join("/", parts.Select(p => p.Split))} split needs at least {parts.Length} subjects, got {n}");
        int total = parts.Sum(p => p.Count);
        var quota = parts.Select(p => (double)p.Count * n / total).ToArray();
        var counts = quota.Select(q => Math.Max(1, (int)Math.Floor(q))).ToArray();
        foreach (int i in Enumerable.Range(0, parts.Length).OrderByDescending(i => quota[i] - Math.Floor(quota[i])).ThenBy(i => i).Cycle())
        {
            int diff = n - counts.Sum();
            if (diff == 0) break;
            if (diff > 0) counts[i]++;
            else if (counts[i] > 1) counts[i]--;
        }
        return parts.Select((p, i) => (p.Split, counts[i])).ToArray();
    }

    private static IEnumerable<T> Cycle<T>(this IEnumerable<T> items)
    {
        var list = items.ToList();
        while (true) foreach (var x in list) yield return x;
    }

    /// <summary>
    /// Sort ordinally, shuffle with a seeded Fisher–Yates (<see cref="Random"/>(seed)), then deal the shuffled names out to
    /// <paramref name="parts"/> in order. Each split's names are returned sorted ordinally so manifests read stably.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Assign(IEnumerable<string> subjects, int seed, params (string Split, int Count)[] parts)
    {
        var names = subjects.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        for (int i = 1; i < names.Length; i++)
            if (names[i] == names[i - 1]) throw new ArgumentException($"subject '{names[i]}' is listed more than once", nameof(subjects));
        if (parts.Length == 0) throw new ArgumentException("at least one split is needed", nameof(parts));
        foreach (var p in parts)
            if (p.Count < 0) throw new ArgumentException($"split '{p.Split}' has a negative count {p.Count}", nameof(parts));
        if (parts.Select(p => p.Split).Distinct().Count() != parts.Length)
            throw new ArgumentException($"split names must be distinct: {string.Join(", ", parts.Select(p => p.Split))}", nameof(parts));
        int total = parts.Sum(p => p.Count);
        if (total != names.Length)
            throw new ArgumentException(
                $"split counts add up to {total} ({string.Join(" + ", parts.Select(p => $"{p.Split} {p.Count}"))}) but there are {names.Length} subjects",
                nameof(parts));

        var rng = new Random(seed);
        for (int i = names.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (names[i], names[j]) = (names[j], names[i]);
        }
        var result = new Dictionary<string, string[]>();
        int at = 0;
        foreach (var (split, count) in parts)
        {
            var chunk = names[at..(at + count)];
            Array.Sort(chunk, StringComparer.Ordinal);
            result[split] = chunk;
            at += count;
        }
        return result;
    }
}
