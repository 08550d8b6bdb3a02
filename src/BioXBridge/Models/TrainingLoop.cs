using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Mini-batch schedule shared by teacher, pre-training, bridge and KD training (paper §3: Adam, no schedule).</summary>
public sealed record LoopConfig(int Epochs, int BatchSize, double LearningRate, int EvalEvery = 5, long Seed = 0);

/// <summary>One epoch's mean training loss, and the validation score where one was computed.</summary>
public sealed record EpochLog(int Epoch, double Loss, double? Validation);

public sealed record LoopResult(IReadOnlyList<EpochLog> History, int BestEpoch, double BestValidation);

public static class TrainingLoop
{
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
        var parameters = trainable.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = new AdamStep(parameters, cfg.LearningRate);
        using var generator = new Generator((ulong)cfg.Seed);
        var history = new List<EpochLog>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;

        for (int epoch = 1; epoch <= cfg.Epochs; epoch++)
        {
            (setModes ?? (m => m.train()))(trainable);
            double lossSum = 0; int batches = 0;
            using (var order = randperm(n, generator: generator))
            {
                for (int start = 0; start < n; start += cfg.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    optimizer.ZeroGrad();
                    var loss = batchLoss(order[start..Math.Min(start + cfg.BatchSize, n)]);
                    loss.backward();
                    optimizer.Step();
                    lossSum += loss.item<float>(); batches++;
                }
            }
            double? score = null;
            if (epoch % cfg.EvalEvery == 0 || epoch == cfg.Epochs)
            {
                trainable.eval();
                score = validate();
                if (score > bestScore)
                {
                    (bestScore, bestEpoch) = (score.Value, epoch);
                    Dispose(best);
                    best = trainable.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                }
            }
            history.Add(new EpochLog(epoch, lossSum / batches, score));
            progress?.Report(new ProgressReport(stepName, epoch, cfg.Epochs,
                $"loss {lossSum / batches:F4}" + (score is double s ? $", val {s:F3}" : "")));
        }
        if (best is not null) trainable.load_state_dict(best);
        Dispose(best);
        trainable.eval();
        return new LoopResult(history, bestEpoch, bestScore);
    }

    private static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
