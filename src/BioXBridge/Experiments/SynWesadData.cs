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
            parts = SubjectSplit.Scale(subjects.Length, parts);
        return SplitData.FromAssignment(all, SubjectSplit.Assign(subjects, splitSeed, parts));
    }

    public static PairedWindows Windows(SynWesadConfig synthetic) =>
        WesadPreprocessing.PrepareAll(SynWesad.Generate(synthetic), "synwesad", synthetic: true);
}
