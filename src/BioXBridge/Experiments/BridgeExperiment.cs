using System.Diagnostics;
using BioXBridge.Bridge;
using BioXBridge.Data;

namespace BioXBridge.Experiments;

/// <summary>
/// The whole method on one paired dataset, in the paper's order: data and split → pre-trained new encoder and
/// teacher → two-stage position selection → bridge training → the same test set for Oracle, Random, KD and the bridge.
/// Returns the run record; <see cref="RunFolder"/> writes it.
/// </summary>
public static class BridgeExperiment
{
    public const string OldModality = ExperimentContext.OldModality, NewModality = ExperimentContext.NewModality;

    public static RunRecord Run(ExperimentConfig cfg, IProgress<ProgressReport>? progress = null, PretrainedStore? store = null)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();

        // 1–2. data split by subject; the frozen new encoder (pre-trained without labels) and the teacher
        var ctx = ExperimentContext.Load(cfg, progress, store);
        var methods = new Dictionary<string, MethodResult>
        {
            ["oracle"] = ctx.Oracle(),
            ["random"] = ctx.Random(cfg.Seed),
        };

        // 3. positions (forward passes only, on the paired set), then 4. the bridge, trained on cached features
        var watch = Stopwatch.StartNew();
        var positions = ctx.SelectPositions(progress);
        double selectionSeconds = watch.Elapsed.TotalSeconds;
        var bridge = ctx.TrainBridge(positions.Input, positions.Output, progress: progress).Result;
        methods["bridge"] = bridge with { Seconds = bridge.Seconds + selectionSeconds };

        // 5. KD: the whole new encoder as a trainable student
        if (cfg.RunDistillation) methods["kd"] = ctx.Distill(progress);

        return Record(ctx, positions, methods, started, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The run record of a context's results (what <c>record.json</c> holds).</summary>
    public static RunRecord Record(ExperimentContext ctx, PositionScores positions, IReadOnlyDictionary<string, MethodResult> methods,
                                   DateTime startedUtc, double seconds) => new()
    {
        Name = ctx.Config.Name,
        Seed = ctx.Config.Seed,
        Dataset = ctx.Data.Train.Dataset,
        Synthetic = ctx.Data.Train.Synthetic,
        DataNote = ctx.DataNote,
        OldModality = ExperimentContext.OldModality,
        NewModality = ExperimentContext.NewModality,
        ClassNames = ctx.Data.Train.ClassNames.ToArray(),
        Positions = PositionRecord.From(positions),
        Methods = methods,
        Splits = ctx.Data.Named().ToDictionary(s => s.Name, s => new SplitRecord(
            s.Data.Subjects.Distinct().ToArray(), s.Data.Count,
            Enumerable.Range(0, ctx.Classes).Select(c => s.Data.Labels.Count(l => l == c)).ToArray(), SplitData.Hash(s.Data))),
        Weights = ctx.Weights.ToDictionary(),
        PeakMemoryBytes = RunEnvironment.PeakMemoryBytes(),
        Seconds = seconds,
        StartedUtc = startedUtc,
        Versions = RunEnvironment.Versions(ctx.Device),
        Config = ctx.Config,
    };
}
