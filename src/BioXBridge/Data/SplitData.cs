using System.Security.Cryptography;
using System.Runtime.InteropServices;

namespace BioXBridge.Data;

/// <summary>
/// The four roles of the paper's subject-wise split: <c>train</c> labelled old modality (teacher), <c>val</c>,
/// <c>pair</c> paired and unlabelled (bridge training, position selection), <c>test</c> new-modality evaluation.
/// </summary>
public sealed record SplitData(PairedWindows Train, PairedWindows Val, PairedWindows Pair, PairedWindows Test)
{
    /// <summary>What the split keeps apart: "subject" (no subject in two splits) or "window" (windows of the same
    /// recordings in every split, as the release's FOG split).</summary>
    public string SplitUnit { get; init; } = "subject";

    /// <summary>Null, or what leaks between the splits; every run record and report on these data repeats it.</summary>
    public string? Leakage { get; init; }

    public static SplitData FromAssignment(PairedWindows all, IReadOnlyDictionary<string, string[]> subjectsBySplit)
    {
        PairedWindows Part(string split)
        {
            if (!subjectsBySplit.TryGetValue(split, out var subjects))
                throw new ArgumentException($"split assignment has no '{split}' entry (has: {string.Join(", ", subjectsBySplit.Keys)})");
            var set = subjects.ToHashSet();
            var part = all.WhereSubject(set.Contains);
            if (part.Count == 0) throw new InvalidDataException($"split '{split}' (subjects {string.Join(", ", subjects)}) holds no windows");
            return part;
        }
        return new(Part("train"), Part("val"), Part("pair"), Part("test"));
    }

    public IEnumerable<(string Name, PairedWindows Data)> Named() =>
        [("train", Train), ("val", Val), ("pair", Pair), ("test", Test)];

    /// <summary>SHA-256 over both modalities' windows and the labels, identifying the exact data a run saw.</summary>
    public static string Hash(PairedWindows d)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(MemoryMarshal.AsBytes(d.First.Values.AsSpan()));
        h.AppendData(MemoryMarshal.AsBytes(d.Second.Values.AsSpan()));
        h.AppendData(MemoryMarshal.AsBytes(d.Labels.AsSpan()));
        return "sha256:" + Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
