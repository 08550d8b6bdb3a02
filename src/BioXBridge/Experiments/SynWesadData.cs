using BioXBridge.Data;

namespace BioXBridge.Experiments;

/// <summary>The embedded default dataset: SynWESAD rendered, preprocessed as the paper does WESAD, split 5/2/5/3 by subject.</summary>
public static class SynWesadData
{
    public static SplitData Load(ExperimentConfig cfg) =>
        Load(new SynWesadConfig(cfg.Subjects, cfg.MinutesPerClass, cfg.DataSeed, cfg.NegativeControl), cfg.DataSeed);

    public static SplitData Load(SynWesadConfig synthetic, int splitSeed)
    {
        var all = Windows(synthetic);
        var subjects = all.Subjects.Distinct().ToArray();
        var parts = SubjectSplit.Wesad;
        if (subjects.Length != parts.Sum(p => p.Count))
            parts = Proportional(subjects.Length, parts);
        return SplitData.FromAssignment(all, SubjectSplit.Assign(subjects, splitSeed, parts));
    }

    public static PairedWindows Windows(SynWesadConfig synthetic) =>
        WesadPreprocessing.PrepareAll(SynWesad.Generate(synthetic), "synwesad", synthetic: true);

    /// <summary>Scales the 5/2/5/3 split to another subject count, every role keeping at least one subject.</summary>
    private static (string Split, int Count)[] Proportional(int n, (string Split, int Count)[] parts)
    {
        if (n < parts.Length) throw new ArgumentException($"SynWESAD needs at least {parts.Length} subjects for a train/val/pair/test split, got {n}");
        int total = parts.Sum(p => p.Count);
        var counts = parts.Select(p => Math.Max(1, (int)Math.Floor((double)p.Count * n / total))).ToArray();
        for (int i = 0; counts.Sum() < n; i = (i + 1) % counts.Length) counts[i]++;
        for (int i = 0; counts.Sum() > n; i = (i + 1) % counts.Length) if (counts[i] > 1) counts[i]--;
        return parts.Select((p, i) => (p.Split, counts[i])).ToArray();
    }
}
