using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Which evaluated state a run ends with: the highest or lowest validation score, or simply the last epoch's.</summary>
public enum Keep { Highest, Lowest, Last }

/// <summary>Mini-batch schedule shared by teacher, pre-training, bridge and KD training (paper §3: Adam, no schedule).</summary>
public sealed record LoopConfig(int Epochs, int BatchSize, double LearningRate, int EvalEvery = 5, long Seed = 0, Keep Keep = Keep.Highest);

/// <summary>
/// One epoch's mean training loss, the validation score where one was computed, and how many of its steps had to be
/// computed again after a non-finite loss or gradient (see <see cref="TrainingLoop.Run"/>).
/// </summary>
public sealed record EpochLog(int Epoch, double Loss, double? Validation, int Retries = 0);

public sealed record LoopResult(IReadOnlyList<EpochLog> History, int BestEpoch, double BestValidation);

public static class TrainingLoop
{
    /// <summary>How often a step with a non-finite loss or gradient is computed again before training gives up.</summary>
    public const int MaxRetries = 3;

    // one reduction instead of a check per tensor: a NaN or infinity anywhere makes the sum non-finite
    private static bool Finite(IReadOnlyList<Parameter> ps)
    {
        var grads = ps.Select(p => p.grad).Where(g => g is not null).Select(g => g!.sum()).ToList();
        return grads.Count == 0 || stack(grads).sum().isfinite().item<bool>();
    }

    /// <summary>
    /// Shuffles 0..n−1 each epoch with a seeded generator, calls <paramref name="batchLoss"/> on index batches (last
    /// partial batch kept) and steps Adam on <paramref name="trainable"/>'s parameters. Every EvalEvery epochs and at the
    /// end <paramref name="validate"/> scores the model; the parameters of the best score by <see cref="LoopConfig.Keep"/>
    /// (or of the last epoch) are restored at the end.
    /// Each step runs in its own dispose scope so native memory stays flat however long training runs.
    /// </summary>
    public static LoopResult Run(nn.Module trainable, int n, LoopConfig cfg, Func<Tensor, Tensor> batchLoss,
                                 Func<double> validate, string stepName, IProgress<ProgressReport>? progress = null,
                                 Action<nn.Module>? setModes = null)
    {
        // every tensor made in here, evaluation included, is owned by a scope until the loop ends: a temporary no scope
        // holds can be finalized by a collection on another thread while native code still reads it
        using var runScope = NewDisposeScope();
        var parameters = trainable.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = new AdamStep(parameters, cfg.LearningRate);
        using var generator = new Generator((ulong)cfg.Seed);
        var history = new List<EpochLog>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NaN;
        int bestEpoch = 0;

        var buffers = trainable.buffers().Where(b => b.is_floating_point()).ToList();
        for (int epoch = 1; epoch <= cfg.Epochs; epoch++)
        {
            (setModes ?? (m => m.train()))(trainable);
            using var order = randperm(n, generator: generator);
            double lossSum = 0; int batches = 0, retries = 0;
            for (int first = 0; first < n; first += cfg.BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = order[first..Math.Min(first + cfg.BatchSize, n)];
                // A backward pass on this stack now and then yields a non-finite gradient that the same pass from the
                // same state does not (seen in 1 of 6 identical first steps of the PaPaGei teacher, at a different
                // layer each time; finite gradients are bit-identical across runs). So a step whose loss or gradient
                // is not finite is computed again, batch-norm statistics put back first: the result equals that of an
                // undisturbed run, and the epoch log counts the repeats. A step that stays non-finite is a divergence.
                var saved = buffers.Count == 0 ? null : buffers.Select(b => b.detach().clone()).ToList();
                for (int attempt = 0; ; attempt++)
                {
                    optimizer.ZeroGrad();
                    var loss = batchLoss(batch);
                    loss.backward();
                    double value = loss.item<float>();
                    if (double.IsFinite(value) && Finite(parameters))
                    {
                        optimizer.Step();
                        lossSum += value; batches++;
                        break;
                    }
                    if (attempt == MaxRetries)
                        throw new InvalidOperationException(
                            $"{stepName}: the loss or its gradient stayed non-finite in epoch {epoch} over {MaxRetries + 1} tries of the same step: " +
                            "the training diverges; lower the learning rate");
                    retries++;
                    if (saved is not null) using (no_grad()) for (int i = 0; i < buffers.Count; i++) buffers[i].copy_(saved[i]);
                }
            }
            double? score = null;
            if (epoch % cfg.EvalEvery == 0 || epoch == cfg.Epochs)
            {
                trainable.eval();
                score = validate();
                bool better = double.IsNaN(bestScore) || cfg.Keep switch
                {
                    Keep.Highest => score > bestScore,
                    Keep.Lowest => score < bestScore,
                    _ => true,
                };
                if (better && cfg.Keep == Keep.Last) (bestScore, bestEpoch) = (score.Value, epoch); // the final state needs no copy
                else if (better)
                {
                    (bestScore, bestEpoch) = (score.Value, epoch);
                    Dispose(best);
                    best = Copy(trainable);
                }
            }
            history.Add(new EpochLog(epoch, lossSum / batches, score, retries));
            progress?.Report(new ProgressReport(stepName, epoch, cfg.Epochs,
                $"loss {lossSum / batches:F4}" + (score is double s ? $", val {s:F3}" : "") + (retries > 0 ? $" ({retries} step(s) repeated)" : "")));
        }
        if (best is not null) trainable.load_state_dict(best);
        Dispose(best);
        trainable.eval();
        return new LoopResult(history, bestEpoch, bestScore);
    }

    private static Dictionary<string, Tensor> Copy(nn.Module m)
    {
        using var noGrad = no_grad();
        return m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    private static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
