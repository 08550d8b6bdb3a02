using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Mini-batch schedule shared by teacher, pre-training, bridge and KD training (paper §3: Adam, no schedule).</summary>
public sealed record LoopConfig(int Epochs, int BatchSize, double LearningRate, int EvalEvery = 5, long Seed = 0);

/// <summary>
/// One epoch's mean training loss, the validation score where one was computed, and how often the epoch had to be run
/// again after a non-finite loss (see <see cref="TrainingLoop.Run"/>).
/// </summary>
public sealed record EpochLog(int Epoch, double Loss, double? Validation, int Retries = 0);

public sealed record LoopResult(IReadOnlyList<EpochLog> History, int BestEpoch, double BestValidation);

public static class TrainingLoop
{
    /// <summary>How often an epoch with a non-finite loss is run again from its saved state before training gives up.</summary>
    public const int MaxRetries = 2;

    /// <summary>
    /// Shuffles 0..n−1 each epoch with a seeded generator, calls <paramref name="batchLoss"/> on index batches (last
    /// partial batch kept) and steps Adam on <paramref name="trainable"/>'s parameters. Every EvalEvery epochs and at the
    /// end <paramref name="validate"/> scores the model (higher is better); the best parameters are restored at the end.
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
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;

        for (int epoch = 1; epoch <= cfg.Epochs; epoch++)
        {
            using var order = randperm(n, generator: generator);
            // a non-finite loss was seen at random epochs on a loaded CPU and not again when the same epoch ran from the
            // same state: the epoch restarts from its saved state with the same batch order, so the result equals that of
            // an undisturbed run, and the log says it happened; a loss that stays non-finite is a real divergence
            using var moments = optimizer.Save();
            var state = Copy(trainable);   // parameters and buffers (batch-norm statistics move in a training epoch too)
            double lossSum = double.NaN; int batches = 0, retries = 0;
            for (; retries <= MaxRetries; retries++)
            {
                if (retries > 0)
                {
                    optimizer.Restore(moments);
                    trainable.load_state_dict(state);
                }
                (setModes ?? (m => m.train()))(trainable);
                (lossSum, batches) = (0, 0);
                for (int first = 0; first < n; first += cfg.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    optimizer.ZeroGrad();
                    var loss = batchLoss(order[first..Math.Min(first + cfg.BatchSize, n)]);
                    loss.backward();
                    optimizer.Step();
                    lossSum += loss.item<float>(); batches++;
                }
                if (double.IsFinite(lossSum)) break;
            }
            Dispose(state);
            if (!double.IsFinite(lossSum))
                throw new InvalidOperationException(
                    $"{stepName}: the training loss stayed {lossSum / batches} in epoch {epoch} over {MaxRetries + 1} tries from the same state: " +
                    "the training diverges; lower the learning rate");
            double? score = null;
            if (epoch % cfg.EvalEvery == 0 || epoch == cfg.Epochs)
            {
                trainable.eval();
                score = validate();
                if (score > bestScore)
                {
                    (bestScore, bestEpoch) = (score.Value, epoch);
                    Dispose(best);
                    best = Copy(trainable);
                }
            }
            history.Add(new EpochLog(epoch, lossSum / batches, score, retries));
            progress?.Report(new ProgressReport(stepName, epoch, cfg.Epochs,
                $"loss {lossSum / batches:F4}" + (score is double s ? $", val {s:F3}" : "") + (retries > 0 ? $" (epoch rerun {retries}×)" : "")));
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
