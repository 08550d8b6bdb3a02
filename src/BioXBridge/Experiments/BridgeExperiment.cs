using System.Diagnostics;

namespace BioXBridge.Experiments;

/// <summary>One seed's results and its trained bridge (kept so the run folder can save it as an artifact).</summary>
public sealed record SeedRun(RunRecord Record, BridgeOutcome Bridge) : IDisposable
{
    public void Dispose() => Bridge.Dispose();
}

/// <summary>
/// The whole method for one direction and one seed, in the paper's order: data and split → frozen new encoder and
/// teacher → two-stage position selection → bridge training → the same test set for Oracle, Random, KD, KD-Contrast and
/// the bridge. The seed drives everything trained here (bridge init, batch order, KD, Random); the frozen models and the
/// positions depend only on the direction, so seeds run on one <see cref="ExperimentContext"/> share them.
/// </summary>
public static class BridgeExperiment
{
    /// <summary>Method keys in the order tables list them.</summary>
    public static readonly string[] Methods = ["oracle", "random", "kd", "kd_contrast", "bridge"];

    public static SeedRun Run(ExperimentContext ctx, int seed, IProgress<ProgressReport>? progress = null)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var cfg = ctx.Config;
        var methods = new Dictionary<string, MethodResult>
        {
            ["oracle"] = ctx.Oracle(),
            ["random"] = ctx.Random(seed),
        };

        // positions (forward passes only, on the paired set), then the bridge, trained on cached features
        var watch = Stopwatch.StartNew();
        var positions = ctx.SelectPositions(progress);
        double selectionSeconds = watch.Elapsed.TotalSeconds;
        var bridge = ctx.TrainBridge(positions.Input, positions.Output, seed, progress: progress);
        methods["bridge"] = bridge.Result with { Seconds = bridge.Result.Seconds + selectionSeconds };

        // the baselines: the whole new encoder as a trainable student
        if (cfg.Kd.Enabled) methods["kd"] = ctx.Distill(cfg.Kd with { ContrastWeight = 0 }, seed, progress);
        if (cfg.KdContrast.Enabled && cfg.KdContrast.ContrastWeight > 0) methods["kd_contrast"] = ctx.Distill(cfg.KdContrast, seed, progress);

        var record = Record(ctx, seed, PositionRecord.From(positions), methods, started, clock.Elapsed.TotalSeconds);
        return new SeedRun(record, bridge);
    }

    /// <summary>The run record of a context's results (what <c>record.json</c> holds).</summary>
    public static RunRecord Record(ExperimentContext ctx, int seed, PositionRecord positions, IReadOnlyDictionary<string, MethodResult> methods,
                                   DateTime startedUtc, double seconds) => new()
    {
        Name = ctx.Config.Name + (ctx.Config.Dataset.NegativeControl ? "-negative-control" : ""),
        Direction = ctx.Config.Name,
        Seed = seed,
        Dataset = ctx.Data.Train.Dataset,
        Synthetic = ctx.Data.Train.Synthetic,
        DataNote = ctx.DataNote,
        SplitUnit = ctx.Data.SplitUnit,
        OldModality = ctx.OldModality,
        NewModality = ctx.NewModality,
        ClassNames = ctx.Data.Train.ClassNames.ToArray(),
        Positions = positions,
        Methods = methods,
        Splits = ctx.Data.Named().ToDictionary(s => s.Name, s => new SplitRecord(
            s.Data.Subjects.Distinct().ToArray(), s.Data.Count,
            Enumerable.Range(0, ctx.Classes).Select(c => s.Data.Labels.Count(l => l == c)).ToArray(), ctx.DataHashes[s.Name])),
        Weights = ctx.Weights.ToDictionary(),
        Reused = ctx.Reused.ToDictionary(),
        PeakMemoryBytes = RunEnvironment.PeakMemoryBytes(),
        Seconds = seconds,
        StartedUtc = startedUtc,
        Versions = RunEnvironment.Versions(ctx.Device),
        Determinism = RunEnvironment.DeterminismOf(ctx.Device),
        Config = ctx.Config,
    };
}
