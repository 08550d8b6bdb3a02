using BioXBridge.Evaluation;
using TorchSharp;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>Alignment loss between last-block outputs, each flattened over tokens and features per sample.</summary>
public enum AlignmentLoss { Cosine, L1, Mse }

/// <summary>
/// The bridge's shape (rank r, prototype count N_p, how prototypes start, the release's LaBraM reshape) and its training:
/// the paper's defaults, batch 16, Adam without decay or schedule, cosine alignment, evaluation every 5 epochs, the
/// checkpoint chosen without labels, and all paired windows (<see cref="PairFraction"/> &lt; 1 trains on a seeded random
/// subset, the paper's paired-data ablation).
/// </summary>
public sealed record BridgeSettings(int Rank = 32, int Prototypes = 50, PrototypeInit PrototypeInit = PrototypeInit.Gaussian,
                                    bool ReleaseReshape = false, int Epochs = 50, double LearningRate = 1e-4, int BatchSize = 16,
                                    AlignmentLoss Loss = AlignmentLoss.Cosine, int EvalEvery = 5,
                                    CheckpointSelection Selection = CheckpointSelection.HeldOutLoss, double PairFraction = 1);

/// <summary>
/// Trains the bridge so that f_old[>l](b(f_new[≤m](x_new))) matches f_old(x_old) at the old model's last block (Eq. 7).
/// Neither Pool(f_new[≤m](x_new)) nor the target f_old(x_old) changes during training, so both are computed once
/// (<see cref="CacheInputs"/>, <see cref="CacheTargets"/>); each step runs only the bridge and old blocks l..L−1.
/// The checkpoint kept is <see cref="BridgeSettings.Selection"/>'s: by default the lowest alignment loss on the
/// validation split's paired windows, which needs their targets cached the same way, and no labels.
/// </summary>
public static class BridgeTrainer
{
    public static Tensor CacheInputs(BridgedModel model, Tensor xNew, Device device) =>
        Batches.Map(xNew, 32, device, model.PooledNew);

    /// <summary>
    /// The old model's last-block outputs, flattened per recording: the alignment targets. Above
    /// <paramref name="memoryBudget"/> bytes (NormWear on FOG: 5.2 MB per window at full size) they are written to
    /// <paramref name="spillFile"/>, float32, and memory-mapped, so the operating system pages them; the values, and so
    /// every trained bridge, are the same either way.
    /// </summary>
    public static Tensor CacheTargets(BridgedModel model, Tensor xOld, Device device, long memoryBudget = long.MaxValue, string? spillFile = null)
    {
        Tensor Targets(Tensor x) => model.Old.encoder.Flatten(model.Old.encoder.call(x));
        long n = xOld.shape[0], width;
        using (no_grad()) using (NewDisposeScope()) width = Targets(xOld[..1].to(device)).shape[1];
        if (n * width * sizeof(float) <= memoryBudget || spillFile is null) return Batches.Map(xOld, 32, device, Targets);

        using (var f = File.Create(spillFile)) f.SetLength(n * width * sizeof(float));
        var mapped = from_file(spillFile, shared: true, size: n * width, dtype: ScalarType.Float32).view(n, width);
        using var noGrad = no_grad();
        for (long start = 0; start < n; start += 32)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(32, n - start);
            mapped.narrow(0, start, len).copy_(Targets(xOld.narrow(0, start, len).to(device)).cpu());
        }
        return mapped;
    }

    /// <summary>What the epoch log's validation column holds under <paramref name="s"/>.</summary>
    public static string ValidationMetric(BridgeSettings s) => s.Selection.ValidationMetric($"held-out {s.Loss.ToString().ToLowerInvariant()} alignment loss");

    public static LoopResult Train(BridgedModel model, Tensor pairPooledNew, Tensor pairTargets,
                                   Tensor valPooledNew, Tensor? valTargets, int[] valLabels, int classes, BridgeSettings cfg, long seed,
                                   Device device, IProgress<ProgressReport>? progress = null, string? checkpoint = null)
    {
        if (valTargets is null && cfg.Selection != CheckpointSelection.ValidationLabels)
            throw new ArgumentNullException(nameof(valTargets), $"checkpoint selection {cfg.Selection} needs the validation pairs' alignment targets");
        using var scope = NewDisposeScope();   // owns the device copies
        var inputs = pairPooledNew.to(device);
        var targets = pairTargets.to(device);
        Func<double> validate = cfg.Selection == CheckpointSelection.ValidationLabels
            ? () => Evaluate(model, valPooledNew, valLabels, classes, device).BalancedAccuracy
            : () => HeldOutAlignment(model, valPooledNew, valTargets!, cfg.Loss, device);
        return TrainingLoop.Run(model.Bridge, (int)inputs.shape[0],
            new LoopConfig(cfg.Epochs, cfg.BatchSize, cfg.LearningRate, cfg.EvalEvery, seed, cfg.Selection.Keep()),
            idx => StepLoss(model, inputs[idx], targets[idx], cfg.Loss),
            validate, "bridge", progress, checkpoint: checkpoint);
    }

    /// <summary>One training step's loss on cached inputs and targets: the bridge and old blocks l..L−1, nothing else.</summary>
    public static Tensor StepLoss(BridgedModel model, Tensor pooled, Tensor targets, AlignmentLoss loss) =>
        Alignment(Predicted(model, pooled), targets, loss);

    private static Tensor Predicted(BridgedModel model, Tensor pooled) => model.Old.encoder.Flatten(model.OldLastFromPooled(pooled));

    /// <summary>
    /// The alignment loss over held-out pairs, in batches (targets may be memory-mapped), weighted by batch size so it is
    /// the mean over windows as one batch would give it.
    /// </summary>
    public static double HeldOutAlignment(BridgedModel model, Tensor pooledNew, Tensor targets, AlignmentLoss loss, Device device)
    {
        model.Bridge.eval();
        using var noGrad = no_grad();
        long n = pooledNew.shape[0];
        double sum = 0;
        for (long start = 0; start < n; start += 64)
        {
            using var batchScope = NewDisposeScope();
            long len = Math.Min(64, n - start);
            var predicted = Predicted(model, pooledNew.narrow(0, start, len).to(device));
            sum += len * Alignment(predicted, targets.narrow(0, start, len).to(device), loss).item<float>();
        }
        return sum / n;
    }

    public static Tensor Alignment(Tensor predicted, Tensor target, AlignmentLoss loss) => loss switch
    {
        AlignmentLoss.Cosine => nn.functional.cosine_similarity(predicted, target, dim: 1).neg().add(Scalars.Of(1)).mean(), // 1 − cos, exactly
        AlignmentLoss.L1 => nn.functional.l1_loss(predicted, target),
        AlignmentLoss.Mse => nn.functional.mse_loss(predicted, target),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>Metrics of the bridged path from cached pooled new-model features.</summary>
    public static ClassificationMetrics Evaluate(BridgedModel model, Tensor pooledNew, int[] labels, int classes, Device device)
    {
        model.Bridge.eval();
        using var logits = Batches.Map(pooledNew, 64, device, model.LogitsFromPooled);
        var predicted = Batches.ArgMax(logits);
        return ClassificationMetrics.Compute(labels, predicted, classes);
    }
}
