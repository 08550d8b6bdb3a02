using BioXBridge.Evaluation;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>What stage 1 maximises: cross-validated macro-F1 (default, what the release scores) or the paper's Eq. 4 alternatives.</summary>
public enum ProbeCriterion { F1Macro, Accuracy, NegativeLogLoss }

/// <summary>Every layer's score from both stages, the chosen positions (m ∈ 1..M, l ∈ 0..L−1) and the settings used.</summary>
public sealed record PositionScores(int Input, int Output, double[] Stage1, double[] Stage2, SelectionOptions Options)
{
    public ProbeCriterion Criterion => Options.Criterion;
}

/// <summary>
/// Two-stage bridge position selection (paper §3.3), forward passes only, on the paired set.
/// Stage 1 ("garbage in, garbage out"): the teacher's pseudo-labels on x_old; for each new block m, a cross-validated
/// logistic-regression probe on its pooled output; the best-scoring m is the input.
/// Stage 2: for each old block l, linear CKA between the chosen new features and the input of block l, both pooled
/// (the release) or both flattened per recording (the paper); the most similar l is the output.
/// Pooled features come from one pass per model that taps every block; flattened ones are too wide to keep for every
/// block at once, so each old block's input is recomputed and reduced to an n×n Gram before the next.
/// </summary>
public static class PositionSelector
{
    /// <param name="chosenFeatures">
    /// Receives (and then owns) the chosen block's pooled outputs on the paired windows when stage 1 pooled over length,
    /// which is exactly what a bridge at m takes as input (<see cref="BridgedModel.PooledNew"/>, same batches), so the
    /// caller need not run the new encoder over the paired windows again.
    /// </param>
    public static PositionScores Select(LayeredEncoder newEncoder, Classifier teacher, Tensor pairNew, Tensor pairOld,
                                        int classes, Device device, SelectionOptions? options = null,
                                        IProgress<ProgressReport>? progress = null, Action<Tensor>? chosenFeatures = null)
    {
        var o = options ?? SelectionOptions.Default;
        newEncoder.eval(); teacher.eval();
        var pseudo = Batches.ArgMax(Batches.Map(pairOld, 32, device, teacher.call));
        if (pseudo.Distinct().Count() < 2)
            throw new InvalidOperationException($"the teacher gives one pseudo-label ({pseudo[0]}) to all {pseudo.Length} paired windows; stage 1 needs at least two classes");

        var newLayers = Batches.MapMany(pairNew, 32, device, x => newEncoder.Trace(x, NewPool(newEncoder, o.NewPooling)));
        var stage1 = new double[newEncoder.BlockCount];
        for (int m = 1; m <= newEncoder.BlockCount; m++)
        {
            var s = LinearProbe.CrossValidate(Batches.ToRows(newLayers[m]), pseudo, classes, o.Folds, objective: o.Objective);
            stage1[m - 1] = o.Criterion switch
            {
                ProbeCriterion.F1Macro => s.F1Macro,
                ProbeCriterion.Accuracy => s.Accuracy,
                _ => -s.LogLoss,
            };
            if (m < newEncoder.BlockCount)
                progress?.Report(new ProgressReport("positions: stage 1", m, newEncoder.BlockCount, $"m={m} score {stage1[m - 1]:F3}"));
        }
        int input = ArgMax(stage1) + 1;
        progress?.Report(new ProgressReport("positions: stage 1", stage1.Length, stage1.Length, $"chose m={input}, score {stage1[input - 1]:F3}"));

        var stage2 = o.Stage2Features == Stage2Features.Flatten
            ? FlattenedStage2(newEncoder, teacher.encoder, pairNew, pairOld, input, device, progress)
            : PooledStage2(Batches.ToRows(newLayers[input]), teacher.encoder, pairOld, device, progress);
        bool handOver = chosenFeatures is not null && o.NewPooling == NewPooling.Length;
        for (int m = 0; m < newLayers.Length; m++)
            if (!handOver || m != input) newLayers[m].Dispose();
        if (handOver) chosenFeatures!(newLayers[input]);
        int output = ArgMax(stage2);
        progress?.Report(new ProgressReport("positions: stage 2", stage2.Length, stage2.Length, $"chose l={output}, CKA {stage2[output]:F3}"));
        return new PositionScores(input, output, stage1, stage2, o);
    }

    /// <summary>The reduction of a new-model block output to one row per recording that <paramref name="pooling"/> names.</summary>
    /// <exception cref="ArgumentException">Channel pooling asked of an encoder without a channel axis.</exception>
    public static Func<Tensor, Tensor> NewPool(LayeredEncoder encoder, NewPooling pooling)
    {
        if (pooling == NewPooling.Length) return encoder.Pool;
        if (encoder.Layout != FeatureLayout.ChannelMajor)
            throw new ArgumentException($"positions.new_pooling = \"channels\" needs a channel-major new encoder (batch, channels, length) such as PaPaGei; {encoder.GetType().Name} lays its blocks out as tokens × features, so use \"length\"");
        return h => h.mean([1]);
    }

    private static double[] PooledStage2(double[][] x, LayeredEncoder old, Tensor pairOld, Device device, IProgress<ProgressReport>? progress)
    {
        var oldLayers = Batches.MapMany(pairOld, 32, device, old.PooledTrace);
        var stage2 = new double[old.BlockCount];
        for (int l = 0; l < stage2.Length; l++)
        {
            stage2[l] = LinearCka.Compute(x, Batches.ToRows(oldLayers[l]));
            if (l + 1 < stage2.Length)
                progress?.Report(new ProgressReport("positions: stage 2", l + 1, stage2.Length, $"l={l} CKA {stage2[l]:F3}"));
        }
        foreach (var t in oldLayers) t.Dispose();
        return stage2;
    }

    private static double[] FlattenedStage2(LayeredEncoder neu, LayeredEncoder old, Tensor pairNew, Tensor pairOld, int input,
                                            Device device, IProgress<ProgressReport>? progress)
    {
        using var kx = FlatGram(pairNew, device, x => neu.Flatten(neu.RunTo(input, x)));
        var stage2 = new double[old.BlockCount];
        for (int l = 0; l < stage2.Length; l++)
        {
            int at = l;
            using var ly = FlatGram(pairOld, device, x => old.Flatten(old.InputOf(at, x)));
            stage2[l] = GramCka.FromCentredGrams(kx, ly);
            if (l + 1 < stage2.Length)
                progress?.Report(new ProgressReport("positions: stage 2", l + 1, stage2.Length, $"l={l} CKA {stage2[l]:F3} (flattened)"));
        }
        return stage2;
    }

    private static Tensor FlatGram(Tensor data, Device device, Func<Tensor, Tensor> flat)
    {
        using var rows = Batches.Map(data, 32, device, flat);
        return GramCka.CentredGram(rows);
    }

    // first maximum wins, so ties resolve to the shallower block
    private static int ArgMax(double[] v) => Array.IndexOf(v, v.Max());
}
