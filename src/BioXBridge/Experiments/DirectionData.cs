using BioXBridge.Data;

namespace BioXBridge.Experiments;

/// <summary>
/// The paired windows a direction runs on: a synthetic twin rendered in memory by the same pipeline
/// <c>data prepare</c> uses (so a prepared copy of the same spec holds the same windows and hashes), or a prepared folder.
/// </summary>
public static class DirectionData
{
    /// <summary>The generator options of a synthetic dataset spec (seed = generator and split seed).</summary>
    public static PrepareOptions Options(DatasetSpec d, string classOnlyIn) => new(
        SplitSeed: d.Seed, DataSeed: d.Seed, NegativeControl: d.NegativeControl,
        Size: new SyntheticSize(d.Subjects, d.MinutesPerClass, d.EpochsPerSubject, d.MinutesPerTask, d.WindowStepSeconds,
                                d.NegativeControl ? classOnlyIn : null));

    /// <summary>Train / val / pair / test windows of the direction, checked to hold both of its modalities.</summary>
    public static SplitData Load(DirectionConfig cfg)
    {
        var d = cfg.Dataset;
        SplitData data;
        string source;
        if (d.Prepared is string dir)
        {
            data = PreparedData.Read(dir);
            source = Path.Combine(dir, PreparedData.ManifestFile);
        }
        else if (cfg.Synthetic)
        {
            data = DatasetPreparation.Prepare(d.Name, null, Options(d, cfg.Old.Modality)).Data;
            source = $"the {d.Name} generator";
        }
        else throw new ArgumentException($"direction '{cfg.Name}': dataset '{d.Name}' is recorded data and needs a prepared folder (dataset.prepared)");
        if (d.WindowsPerSplit is int n)
            data = data with { Train = First(data.Train, n), Val = First(data.Val, n), Pair = First(data.Pair, n), Test = First(data.Test, n) };
        var has = new[] { data.Train.First.Modality, data.Train.Second.Modality };
        foreach (var needed in new[] { cfg.Old.Modality, cfg.New.Modality })
            if (!has.Contains(needed))
                throw new InvalidDataException($"{source}: modalities are {string.Join(" and ", has)}; direction '{cfg.Name}' needs {cfg.Old.Modality} (old) and {cfg.New.Modality} (new)");
        InputChecks.Check(data, source, everyClass: d.WindowsPerSplit is null);
        return data;
    }

    private static PairedWindows First(PairedWindows w, int n) => w.Select(Enumerable.Range(0, Math.Min(n, w.Count)).ToArray());

    /// <summary>
    /// Windows for label-free pre-training of the new encoder: the direction's generator in its normal mode, with the
    /// pre-training subject count and seed, never the run's own subjects (null for recorded datasets: nothing to render).
    /// </summary>
    public static PairedWindows? PretrainingWindows(DirectionConfig cfg)
    {
        if (!cfg.Synthetic) return null;
        var d = cfg.Dataset with { Subjects = cfg.Pretraining.Subjects, Seed = cfg.Pretraining.DataSeed, NegativeControl = false };
        return DatasetPreparation.Windows(d.Name, null, Options(d, cfg.Old.Modality));
    }
}
