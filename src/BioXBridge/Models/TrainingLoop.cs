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

/// <summary>The log, the epoch kept and its score, and where a resumed training continued from (null when it started fresh).</summary>
public sealed record LoopResult(IReadOnlyList<EpochLog> History, int BestEpoch, double BestValidation, string? ResumedFrom = null);

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
    /// With a <paramref name="checkpoint"/> path the loop saves a <see cref="TrainingCheckpoint"/> after every evaluation,
    /// and mid-epoch when <see cref="Interruption"/> asks it to stop; started again with the same path it continues from
    /// that file and ends bit-identical (on a CPU) to a run that never stopped.
    /// </summary>
    public static LoopResult Run(nn.Module trainable, int n, LoopConfig cfg, Func<Tensor, Tensor> batchLoss,
                                 Func<double> validate, string stepName, IProgress<ProgressReport>? progress = null,
                                 Action<nn.Module>? setModes = null, string? checkpoint = null)
    {
        // every tensor made in here, evaluation included, is owned by a scope until the loop ends: a temporary no scope
        // holds can be finalized by a collection on another thread while native code still reads it
        using var runScope = NewDisposeScope();
        var parameters = trainable.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = new AdamStep(parameters, cfg.LearningRate);
        using var generator = new Generator((ulong)cfg.Seed);
        using var watch = checkpoint is null ? null : Interruption.Watch();
        var history = new List<EpochLog>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NaN;
        int bestEpoch = 0, firstEpoch = 1, firstSample = 0;
        double resumedLoss = 0; int resumedBatches = 0, resumedRetries = 0;
        Tensor? resumedOrder = null;
        var fingerprint = Fingerprint(trainable, n, cfg, stepName);
        string? resumedFrom = null;

        if (checkpoint is not null && File.Exists(checkpoint))
        {
            var (state, t) = TrainingCheckpoint.Load(checkpoint);
            if (state.Fingerprint != fingerprint)
                throw new InvalidDataException($"{checkpoint}: a checkpoint of another training ({state.Fingerprint}); this one is {fingerprint}. " +
                                               "Delete it to start this training over");
            using (no_grad())
                foreach (var (name, value) in trainable.state_dict()) value.copy_(t["model." + name]);
            optimizer.Restore(state.AdamSteps, Enumerable.Range(0, parameters.Count).Select(i => t[$"adam.m.{i}"]).ToList(),
                              Enumerable.Range(0, parameters.Count).Select(i => t[$"adam.v.{i}"]).ToList());
            generator.set_state(t["rng.order"]);
            Generator.Default.set_state(t["rng.global"]);
            if (t.Keys.Any(k => k.StartsWith("best.", StringComparison.Ordinal)))
                best = t.Where(kv => kv.Key.StartsWith("best.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[5..], kv => kv.Value);
            history.AddRange(state.History);
            (bestScore, bestEpoch, firstEpoch, firstSample) = (state.BestScore, state.BestEpoch, state.Epoch, state.NextSample);
            (resumedLoss, resumedBatches, resumedRetries, resumedOrder) = (state.LossSum, state.Batches, state.Retries, t.GetValueOrDefault("order"));
            resumedFrom = state.Position;
            progress?.Report(new ProgressReport(stepName, firstEpoch - 1, cfg.Epochs, $"resumed at {state.Position}"));
        }

        void Save(int epoch, int next, double lossSum, int batches, int retries, Tensor? order)
        {
            using var scope = NewDisposeScope(); // the generators' state copies go with the save, not with the run
            var (steps, avg, avgSq) = optimizer.State;
            var tensors = trainable.state_dict().Select(kv => ("model." + kv.Key, kv.Value))
                .Concat(avg.Select((m, i) => ($"adam.m.{i}", m))).Concat(avgSq.Select((v, i) => ($"adam.v.{i}", v)))
                .Concat((best ?? []).Select(kv => ("best." + kv.Key, kv.Value)))
                .Append(("rng.order", generator.get_state())).Append(("rng.global", Generator.Default.get_state())).ToList();
            if (order is not null) tensors.Add(("order", order));
            new TrainingCheckpoint
            {
                Fingerprint = fingerprint, Epoch = epoch, NextSample = next, LossSum = lossSum, Batches = batches, Retries = retries,
                AdamSteps = steps, History = history.ToList(), BestScore = bestScore, BestEpoch = bestEpoch,
            }.Save(checkpoint!, tensors);
        }

        // the request is honoured once: a later training in this process runs
        TrainingInterruptedException Stopped(string position)
        {
            Interruption.Clear();
            return new TrainingInterruptedException(checkpoint!, position);
        }

        // all of them: batch norm's step counter (int64) too, or a repeated step leaves it one ahead of an undisturbed run
        var buffers = trainable.buffers().ToList();
        for (int epoch = firstEpoch; epoch <= cfg.Epochs; epoch++)
        {
            (setModes ?? (m => m.train()))(trainable);
            using var order = resumedOrder ?? randperm(n, generator: generator);
            double lossSum = resumedLoss; int batches = resumedBatches, retries = resumedRetries;
            int start = firstSample;
            (resumedOrder, resumedLoss, resumedBatches, resumedRetries, firstSample) = (null, 0, 0, 0, 0);
            for (int first = start; first < n; first += cfg.BatchSize)
            {
                using (var scope = NewDisposeScope())
                {
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
                if (watch is not null && Interruption.Requested && first + cfg.BatchSize < n)
                {
                    Save(epoch, first + cfg.BatchSize, lossSum, batches, retries, order);
                    throw Stopped($"{stepName}, epoch {epoch}, sample {first + cfg.BatchSize} of {n}");
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
            if (checkpoint is not null && (score is not null || Interruption.Requested) && epoch < cfg.Epochs)
            {
                Save(epoch + 1, 0, 0, 0, 0, null);
                if (Interruption.Requested) throw Stopped($"{stepName}, after epoch {epoch}");
            }
            progress?.Report(new ProgressReport(stepName, epoch, cfg.Epochs,
                $"loss {lossSum / batches:F4}" + (score is double s ? $", val {s:F3}" : "") + (retries > 0 ? $" ({retries} step(s) repeated)" : "")));
        }
        if (best is not null) trainable.load_state_dict(best);
        Dispose(best);
        trainable.eval();
        return new LoopResult(history, bestEpoch, bestScore, resumedFrom);
    }

    /// <summary>What a checkpoint must match to continue this training: its sizes, schedule, seed and parameter shapes.</summary>
    private static string Fingerprint(nn.Module m, int n, LoopConfig cfg, string stepName) =>
        $"{stepName}: n={n} epochs={cfg.Epochs} batch={cfg.BatchSize} lr={cfg.LearningRate:R} eval={cfg.EvalEvery} seed={cfg.Seed} keep={cfg.Keep} " +
        $"state={Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join(";", m.state_dict().Select(kv => $"{kv.Key}[{string.Join(",", kv.Value.shape)}]")))))[..12]}";

    // the detached views are disposed here: left to the run's scope they piled up, one per state entry per improved
    // validation, until training ended (LeakTests found 270 over 900 steps of a tiny bridge)
    private static Dictionary<string, Tensor> Copy(nn.Module m)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().MoveToOuterDisposeScope());
    }

    private static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
