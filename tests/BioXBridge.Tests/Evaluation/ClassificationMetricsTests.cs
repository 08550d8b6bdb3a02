using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class ClassificationMetricsTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void ThreeClassWithNeverPredictedClass_MatchesHandArithmetic()
    {
        int[] yTrue = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
        int[] yPred = [0, 0, 1, 1, 1, 0, 1, 0, 1, 1];
        var m = ClassificationMetrics.Compute(yTrue, yPred, 3);

        // Confusion (rows true, cols pred): true 0 → preds 0,0,1; true 1 → 1,1,0; true 2 → 1,0,1,1.
        //   [2 1 0]
        //   [1 2 0]      column sums (predicted counts) = 4, 6, 0; row sums (support) = 3, 3, 4
        //   [1 3 0]
        Assert.Equal([[2, 1, 0], [1, 2, 0], [1, 3, 0]], m.Confusion);
        // Accuracy = trace / n = (2 + 2 + 0) / 10.
        Assert.Equal(0.4, m.Accuracy, Tol);
        // Recalls 2/3, 2/3, 0/4 → balanced accuracy = (4/3) / 3 = 4/9.
        Assert.Equal(4.0 / 9, m.BalancedAccuracy, Tol);
        // F1_k = 2TP / (2TP + FP + FN): class 0: 4/(4+2+1) = 4/7; class 1: 4/(4+4+1) = 4/9;
        // class 2: TP = 0 and precision is 0/0 → zero_division = 0 → F1 = 0 (still counted: it is in y_true).
        // Macro = (4/7 + 4/9 + 0) / 3 = (36 + 28)/63 / 3 = 64/189.
        Assert.Equal(64.0 / 189, m.F1Macro, Tol);
        // Weighted by support 3, 3, 4: (3·4/7 + 3·4/9 + 4·0) / 10 = (36/21 + 28/21) / 10 = 64/210.
        Assert.Equal(64.0 / 210, m.F1Weighted, Tol);
        // p_o = 0.4; p_e = Σ row·col / n² = (3·4 + 3·6 + 4·0) / 100 = 0.3; κ = (0.4 − 0.3)/(1 − 0.3) = 1/7.
        Assert.Equal(1.0 / 7, m.Kappa, Tol);
    }

    [Fact]
    public void TwoClass_MatchesHandArithmetic()
    {
        int[] yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
        int[] yPred = [1, 1, 1, 0, 0, 0, 0, 0, 1, 1];
        var m = ClassificationMetrics.Compute(yTrue, yPred, 2);

        // true 0 (6 samples) → preds 0,0,0,0,1,1 = [4 2]; true 1 (4 samples) → 1,1,1,0 = [1 3].
        Assert.Equal([[4, 2], [1, 3]], m.Confusion);
        Assert.Equal(0.7, m.Accuracy, Tol);                 // (4 + 3) / 10
        Assert.Equal(17.0 / 24, m.BalancedAccuracy, Tol);   // (4/6 + 3/4) / 2 = (16 + 18)/24 / 2
        // Class 0: TP 4, FP 1, FN 2 → 8/11. Class 1: TP 3, FP 2, FN 1 → 6/9 = 2/3.
        Assert.Equal((8.0 / 11 + 2.0 / 3) / 2, m.F1Macro, Tol);        // = 23/33
        Assert.Equal((6 * 8.0 / 11 + 4 * 2.0 / 3) / 10, m.F1Weighted, Tol); // = 116/165
        // p_o = 0.7; rows 6, 4 and cols 5, 5 → p_e = (30 + 20)/100 = 0.5; κ = 0.2 / 0.5 = 0.4.
        Assert.Equal(0.4, m.Kappa, Tol);
    }

    [Fact]
    public void PredictedOnlyAndUnusedLabels_FollowSklearnLabelSets()
    {
        // numClasses = 4; class 2 is only predicted, class 3 appears nowhere.
        var m = ClassificationMetrics.Compute([0, 0, 1, 1], [0, 2, 1, 1], 4);
        Assert.Equal([[1, 0, 1, 0], [0, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], m.Confusion);
        Assert.Equal(0.75, m.Accuracy, Tol);
        // Recall only over classes in y_true {0, 1}: (1/2 + 2/2) / 2 — class 2 is dropped, not counted as 0.
        Assert.Equal(0.75, m.BalancedAccuracy, Tol);
        // Labels {0,1,2} (y_true ∪ y_pred; 3 excluded): F1 = 2/3, 1, 0 → macro 5/9.
        Assert.Equal(5.0 / 9, m.F1Macro, Tol);
        // Weighted by support 2, 2, 0: (2·2/3 + 2·1) / 4 = 5/6.
        Assert.Equal(5.0 / 6, m.F1Weighted, Tol);
        // p_e = (rows 2,2,0,0 · cols 1,2,1,0) / 16 = (2 + 4)/16 = 0.375; κ = (0.75 − 0.375)/0.625 = 0.6.
        Assert.Equal(0.6, m.Kappa, Tol);
    }

    [Fact]
    public void SingleClassEverywhere_KappaIsNaNLikeSklearn()
    {
        var m = ClassificationMetrics.Compute([1, 1, 1], [1, 1, 1], 3);
        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(1.0, m.BalancedAccuracy);
        Assert.Equal(1.0, m.F1Macro);
        Assert.Equal(1.0, m.F1Weighted);
        Assert.True(double.IsNaN(m.Kappa));
    }

    [Fact]
    public void MatchesSklearnOnRandomLabels()
    {
        foreach (var c in EvaluationFixtures.Cases("metrics.json"))
        {
            var m = ClassificationMetrics.Compute(c.Ints("y_true"), c.Ints("y_pred"), c.GetProperty("num_classes").GetInt32());
            string at = c.Name();
            Assert.True(Math.Abs(m.Accuracy - c.GetProperty("accuracy").GetDouble()) < Tol, at);
            Assert.True(Math.Abs(m.BalancedAccuracy - c.GetProperty("balanced_accuracy").GetDouble()) < Tol, at);
            Assert.True(Math.Abs(m.F1Macro - c.GetProperty("f1_macro").GetDouble()) < Tol, at);
            Assert.True(Math.Abs(m.F1Weighted - c.GetProperty("f1_weighted").GetDouble()) < Tol, at);
            Assert.True(Math.Abs(m.Kappa - c.GetProperty("kappa").GetDouble()) < Tol, at);
            Assert.Equal(c.IntMatrix("confusion"), m.Confusion);
        }
    }

    [Fact]
    public void LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1], [0], 2));
        Assert.Contains("same length", ex.Message);
    }

    [Fact]
    public void LabelOutOfRange_NamesIndexAndValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1, 2], [0, 1, 1], 2));
        Assert.Contains("yTrue[2] = 2", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1], [-1, 1], 2));
        Assert.Contains("yPred[0] = -1", ex.Message);
    }

    [Fact]
    public void Empty_Throws() =>
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([], [], 2));
}
