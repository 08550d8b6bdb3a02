using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class LinearProbeTests
{
    [Fact]
    public void MatchesSklearnCrossValScore()
    {
        foreach (var c in EvaluationFixtures.Cases("probe.json"))
        {
            var s = LinearProbe.CrossValidate(c.Matrix("X"), c.Ints("y"), c.GetProperty("num_classes").GetInt32(),
                c.GetProperty("folds").GetInt32());
            string at = c.Name();
            Assert.True(Math.Abs(s.F1Macro - c.GetProperty("f1_macro").GetDouble()) < 1e-3, $"{at} F1 {s.F1Macro}");
            Assert.True(Math.Abs(s.Accuracy - c.GetProperty("accuracy").GetDouble()) < 1e-3, $"{at} acc {s.Accuracy}");
            Assert.True(Math.Abs(s.LogLoss - c.GetProperty("log_loss").GetDouble()) < 1e-3, $"{at} loss {s.LogLoss}");
        }
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
        // One sample of class 1: in the fold where it is held out, training sees only class 0.
        var X = EvaluationFixtures.Gaussian(new Random(2), 21, 3);
        var y = new int[21];
        y[7] = 1;
        var s = LinearProbe.CrossValidate(X, y, 2);
        Assert.InRange(s.F1Macro, 0, 1);
        Assert.InRange(s.Accuracy, 0, 1);
        Assert.True(double.IsFinite(s.LogLoss) && s.LogLoss > 0);
    }

    [Fact]
    public void LabelOutOfRange_Throws()
    {
        var X = EvaluationFixtures.Gaussian(new Random(3), 10, 2);
        Assert.Throws<ArgumentException>(() => LinearProbe.CrossValidate(X, [0, 1, 0, 1, 0, 1, 0, 1, 0, 3], 3));
    }
}
