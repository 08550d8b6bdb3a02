using System.Diagnostics;
using BioXBridge.Bridge;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// The bridge's training epoch two ways, on one full-size direction, same windows, batch, optimiser and shuffling.
/// Ours (<see cref="BridgeTrainer"/>): Pool(f_new[≤m](x_new)) and f_old(x_old) never change, so they are cached once and
/// each step runs only the bridge and old blocks l..L−1. The release's loop (train_bridge.py) instead runs, every step,
/// the whole old model on x_old for the target and the whole new model with a hook catching block m's output, both
/// without gradients, and then the whole old model again on x_old with a forward pre-hook that swaps block l's input
/// for the bridge's output, so blocks 0..l−1 are computed and thrown away. That loop is rebuilt here on the same ports;
/// it leaves out the release's heads and data preparation, which only flatters it.
/// </summary>
public static class BridgeEpochBench
{
    public static BenchCase CachedVsRelease(BenchRig rig, int windows, Repetitions r, Action<string> log)
    {
        var s = rig.Config.Bridge;
        using var xNew = rig.NewInputs(windows);
        using var xOld = rig.OldInputs(windows);
        var model = rig.Bridged(seed: 0);
        using var bridge = model.Bridge;
        var clock = Stopwatch.StartNew(); // once: the caching is a one-off cost, as in training
        using var p = BridgeTrainer.CacheInputs(model, xNew, CPU);
        using var t = BridgeTrainer.CacheTargets(model, xOld, CPU);
        var caching = Timing.Of(clock.Elapsed.TotalMilliseconds);
        log($"  {rig.Config.Name}: cached {windows} windows in {caching.Median / 1000:F1} s");
        var cached = Timing.Measure(r, () => OneEpoch(model, windows, s, idx => BridgeTrainer.StepLoss(model, p[idx], t[idx], s.Loss)));
        log($"  {rig.Config.Name}: cached epoch {cached.Median / 1000:F1} s");
        var release = Timing.Measure(r, () => OneEpoch(model, windows, s, idx => ReleaseStepLoss(model, xNew[idx], xOld[idx], s.Loss)));
        double epochs = s.Epochs;
        return new BenchCase($"cached_vs_release_{rig.Config.Name}", "ms", cached, release,
            rig.Config.Name == "wesad-ppg-to-ecg" ? 10 : null,
            $"one bridge epoch ({windows} windows, batch {s.BatchSize}): release-style loop ÷ cached loop",
            new Dictionary<string, object?>
            {
                ["windows"] = windows, ["batch"] = s.BatchSize, ["positions"] = new[] { rig.InputPosition, rig.OutputPosition },
                ["caching_ms"] = caching.Median,
                ["config_epochs"] = s.Epochs,
                // the one-off caching counted in: the whole training at the config's epoch count, release ÷ ours
                ["total_ratio_at_config_epochs"] = epochs * release.Median / (caching.Median + epochs * cached.Median),
            });
    }

    /// <summary>One epoch of the kit's training loop (seeded shuffle, Adam, per-step dispose scope) with the given step.</summary>
    private static void OneEpoch(BridgedModel model, int windows, BridgeSettings s, Func<Tensor, Tensor> stepLoss) =>
        TrainingLoop.Run(model.Bridge, windows, new LoopConfig(1, s.BatchSize, s.LearningRate, EvalEvery: int.MaxValue, Keep: Keep.Last),
                         stepLoss, () => 0, "bench bridge");

    /// <summary>The release's step: the frozen passes, then the old model on x_old with block l's input replaced.</summary>
    public static Tensor ReleaseStepLoss(BridgedModel model, Tensor xNew, Tensor xOld, AlignmentLoss loss)
    {
        var old = model.Old.encoder;
        Tensor target, pooled;
        using (no_grad())
        {
            target = old.Flatten(old.call(xOld));
            pooled = SelectionBench.WholePassTapping(model.New, xNew, model.InputPosition);
        }
        old.InputOf(model.OutputPosition, xOld); // computed by the release's whole pass, and thrown away
        var predicted = old.Flatten(old.RunFrom(model.OutputPosition, model.Bridge.call(pooled)));
        return BridgeTrainer.Alignment(predicted, target, loss);
    }
}
