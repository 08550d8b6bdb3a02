using BioXBridge.Evaluation;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>What stage 1 maximises: the spec's cross-validated macro-F1 (default) or the paper's Eq. 4 alternatives.</summary>
public enum ProbeCriterion { F1Macro, Accuracy, NegativeLogLoss }

/// <summary>Every layer's score from both stages and the chosen positions (m ∈ 1..M, l ∈ 0..L−1).</summary>
public sealed record PositionScores(int Input, int Output, double[] Stage1, double[] Stage2, ProbeCriterion Criterion);

/// <summary>
/// Two-stage bridge position selection (paper §3.3), forward passes only, on the paired set.
/// Stage 1 ("garbage in, garbage out"): the teacher's pseudo-labels on x_old; for each new block m, a 5-fold
/// cross-validated logistic-regression probe on its token-mean-pooled output; the best-scoring m is the input.
/// Stage 2: for each old block l, linear CKA between the chosen stage-1 features and the pooled input of block l;
/// the most similar l is the output. Each model runs once, tapping every block in that pass.
/// </summary>
public static class PositionSelector
{
    public static PositionScores Select(LayeredEncoder newEncoder, Classifier teacher, Tensor pairNew, Tensor pairOld,
                                        int classes, Device device, ProbeCriterion criterion = ProbeCriterion.F1Macro,
                                        int folds = 5, IProgress<ProgressReport>? progress = null)
    {
        newEncoder.eval(); teacher.eval();
        var pseudo = Batches.ArgMax(Batches.Map(pairOld, 32, device, teacher.call));
        if (pseudo.Distinct().Count() < 2)
            throw new InvalidOperationException($"the teacher gives one pseudo-label ({pseudo[0]}) to all {pseudo.Length} paired windows; stage 1 needs at least two classes");

        var newLayers = Batches.MapMany(pairNew, 32, device, newEncoder.PooledTrace);
        var stage1 = new double[newEncoder.BlockCount];
        for (int m = 1; m <= newEncoder.BlockCount; m++)
        {
            var s = LinearProbe.CrossValidate(Batches.ToRows(newLayers[m]), pseudo, classes, folds);
            stage1[m - 1] = criterion switch
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

        var x = Batches.ToRows(newLayers[input]);
        var oldLayers = Batches.MapMany(pairOld, 32, device, teacher.encoder.PooledTrace);
        var stage2 = new double[teacher.encoder.BlockCount];
        for (int l = 0; l < stage2.Length; l++)
        {
            stage2[l] = LinearCka.Compute(x, Batches.ToRows(oldLayers[l]));
            if (l + 1 < stage2.Length)
                progress?.Report(new ProgressReport("positions: stage 2", l + 1, stage2.Length, $"l={l} CKA {stage2[l]:F3}"));
        }
        foreach (var t in newLayers.Concat(oldLayers)) t.Dispose();
        int output = ArgMax(stage2);
        progress?.Report(new ProgressReport("positions: stage 2", stage2.Length, stage2.Length, $"chose l={output}, CKA {stage2[output]:F3}"));
        return new PositionScores(input, output, stage1, stage2, criterion);
    }

    // first maximum wins, so ties resolve to the shallower block
    private static int ArgMax(double[] v) => Array.IndexOf(v, v.Max());
}
