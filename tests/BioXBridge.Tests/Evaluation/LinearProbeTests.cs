using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class LinearProbeTests
{
    [Theory]
    [InlineData("probe.json", ProbeObjective.Sklearn15)]
    [InlineData("probe_sklearn12.json", ProbeObjective.Sklearn12)]
    public void MatchesSklearnCrossValScore(string fixture, ProbeObjective objective)
    {
        foreach (var c in EvaluationFixtures.Cases(fixture))
        {
            var s = LinearProbe.CrossValidate(c.Matrix("X"), c.Ints("y"), c.GetProperty("num_classes").GetInt32(),
                c.GetProperty("folds").GetInt32(), objective: objective);
            string at = $"{fixture} {c.Name()}";
            Assert.True(Math.Abs(s.F1Macro - c.GetProperty("f1_macro").GetDouble()) < 1e-12, $"{at} F1 {s.F1Macro}");
            Assert.True(Math.Abs(s.Accuracy - c.GetProperty("accuracy").GetDouble()) < 1e-12, $"{at} acc {s.Accuracy}");
            Assert.True(Math.Abs(s.LogLoss - c.GetProperty("log_loss").GetDouble()) < 1e-9, $"{at} loss {s.LogLoss}");
            // Fold by fold, in sklearn's order: the release prints mean ± std of exactly this array.
            // Where folds = 5 the fixture also holds the release's verbatim call (cv=5), which must be the same array.
            foreach (var key in new[] { "f1_per_fold", "release_f1_per_fold" })
            {
                if (!c.TryGetProperty(key, out _)) continue;
                var perFold = c.Doubles(key);
                Assert.Equal(perFold.Length, s.F1PerFold.Length);
                for (int f = 0; f < perFold.Length; f++)
                    Assert.True(Math.Abs(perFold[f] - s.F1PerFold[f]) < 1e-12, $"{at} {key}[{f}] {s.F1PerFold[f]}");
            }
        }
    }

    [Fact]
    public void ObjectiveChangesAProbeScore()
    {
        // Ten folds, five classes: sklearn 1.5.2's looser stop flips test predictions in some fold, so the release's
        // objective and 1.2.1's give different macro-F1 (0.7592 vs 0.7645 in the fixtures).
        var v15 = EvaluationFixtures.Cases("probe.json").Single(c => c.Name() == "five_class_ten_folds");
        var v12 = EvaluationFixtures.Cases("probe_sklearn12.json").Single(c => c.Name() == "five_class_ten_folds");
        Assert.Equal(v15.Matrix("X"), v12.Matrix("X"));
        var s15 = LinearProbe.CrossValidate(v15.Matrix("X"), v15.Ints("y"), 5, 10, objective: ProbeObjective.Sklearn15);
        var s12 = LinearProbe.CrossValidate(v15.Matrix("X"), v15.Ints("y"), 5, 10, objective: ProbeObjective.Sklearn12);
        Assert.Equal(v15.GetProperty("f1_macro").GetDouble(), s15.F1Macro, 12);
        Assert.Equal(v12.GetProperty("f1_macro").GetDouble(), s12.F1Macro, 12);
        Assert.True(Math.Abs(s15.F1Macro - s12.F1Macro) > 1e-3, $"{s15.F1Macro} vs {s12.F1Macro}");
    }

    [Fact]
    public void SinglePseudoLabelClass_Throws()
    {
        var X = EvaluationFixtures.Gaussian(new Random(1), 20, 3);
        var ex = Assert.Throws<ArgumentException>(() => LinearProbe.CrossValidate(X, new int[20], 3));
        Assert.Contains("at least two", ex.Message);
    }

    [Fact]
    public void SingleClassTrainingFold_ScoredAsConstantPredictor()
    {
        // One sample of class 1, far from the rest: in the fold where it is held out training sees only class 0, so that
        // fold must be the constant predictor "always 0"; in the other fold the test rows are all class 0 and near the
        // origin, where a fitted probe predicts 0 too. Both folds' scores are therefore known exactly.
        var X = EvaluationFixtures.Gaussian(new Random(2), 21, 3);
        X[7] = [100, 100, 100];
        var y = new int[21];
        y[7] = 1;
        const int K = 5;
        var folds = StratifiedKFold.Split(y, K).ToArray();
        int constantFold = Array.FindIndex(folds, f => f.Test.Contains(7));
        double n = folds[constantFold].Test.Length;      // n − 1 zeros and the one 1, all predicted 0

        var s = LinearProbe.CrossValidate(X, y, numClasses: 2, folds: K);

        // constant fold: class 0 has precision (n−1)/n and recall 1, class 1 has F1 0 → macro (n − 1)/(2n − 1)
        double constantF1 = (n - 1) / (2 * n - 1);
        Assert.Equal(constantF1, s.F1PerFold[constantFold], 15);
        // the other folds hold only class 0 in y_true ∪ y_pred, all predicted right: F1-macro 1, accuracy 1
        Assert.All(Enumerable.Range(0, K).Where(f => f != constantFold), f => Assert.Equal(1.0, s.F1PerFold[f], 15));
        Assert.Equal((constantF1 + K - 1) / K, s.F1Macro, 15);
        Assert.Equal(((n - 1) / n + K - 1) / K, s.Accuracy, 15);
        // probability 1 on class 0, clipped at machine epsilon as sklearn's log_loss: the miss costs −ln ε ≈ 36.04
        double eps = 2.220446049250313e-16, constantLoss = ((n - 1) * -Math.Log(1 - eps) - Math.Log(eps)) / n;
        Assert.InRange(s.LogLoss, constantLoss / K, constantLoss / K + 0.05); // + the fitted folds' small losses
    }

    [Fact]
    public void ConstantPredictorHasChanceBalancedAccuracyAndZeroKappa()
    {
        // what the probe's constant fold is scored as, K = 3 classes (5, 3, 2 of them), everything predicted as class 0
        int[] yTrue = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
        var m = ClassificationMetrics.Compute(yTrue, new int[10], 3);
        Assert.Equal(1.0 / 3, m.BalancedAccuracy, 15);       // recall 1, 0, 0
        Assert.Equal(0.5, m.Accuracy, 15);                   // the majority class's share
        Assert.Equal(0.0, m.Kappa, 15);                      // agreement exactly at chance
        Assert.Equal(2.0 / 9, m.F1Macro, 15);                // class 0: P = 1/2, R = 1 → F1 = 2/3; others 0
        Assert.Equal(1.0 / 3, m.F1Weighted, 15);             // 2/3 weighted by 5/10
        Assert.Equal([[5, 0, 0], [3, 0, 0], [2, 0, 0]], m.Confusion);
    }

    [Fact]
    public void LabelOutOfRange_Throws()
    {
        var X = EvaluationFixtures.Gaussian(new Random(3), 10, 2);
        Assert.Throws<ArgumentException>(() => LinearProbe.CrossValidate(X, [0, 1, 0, 1, 0, 1, 0, 1, 0, 3], 3));
    }
}
