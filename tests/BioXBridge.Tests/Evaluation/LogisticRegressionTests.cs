using System.Diagnostics;
using BioXBridge.Evaluation;
using Xunit;
using Xunit.Abstractions;

namespace BioXBridge.Tests.Evaluation;

public class LogisticRegressionTests(ITestOutputHelper output)
{
    [Fact]
    public void MatchesSklearnOnNonSeparableData()
    {
        foreach (var c in EvaluationFixtures.Cases("logreg.json"))
        {
            string at = c.Name();
            var model = LogisticRegression.Fit(c.Matrix("X"), c.Ints("y"), c.GetProperty("num_classes").GetInt32(),
                C: c.GetProperty("C").GetDouble());
            Assert.True(model.Converged, at);
            Assert.Equal(c.Ints("classes"), model.Classes);

            // Coefficients within 1e-3 relative to the coefficient scale (sklearn itself stops at |∇| ≤ 1e-4).
            var coef = c.Matrix("coef");
            var intercept = c.Doubles("intercept");
            Assert.Equal(coef.Length, model.Coef.GetLength(0));
            double scale = coef.SelectMany(r => r).Concat(intercept).Max(Math.Abs);
            for (int r = 0; r < coef.Length; r++)
            {
                for (int j = 0; j < coef[r].Length; j++)
                    Assert.True(Math.Abs(model.Coef[r, j] - coef[r][j]) <= 1e-3 * scale,
                        $"{at} coef[{r},{j}] = {model.Coef[r, j]} vs sklearn {coef[r][j]}");
                Assert.True(Math.Abs(model.Intercept[r] - intercept[r]) <= 1e-3 * scale,
                    $"{at} intercept[{r}] = {model.Intercept[r]} vs sklearn {intercept[r]}");
            }

            // Probabilities on held-out rows within 1e-4 absolute; sklearn columns are its classes_.
            var xTest = c.Matrix("X_test");
            var proba = model.PredictProba(xTest);
            var expected = c.Matrix("proba_test");
            int[] classes = c.Ints("classes");
            for (int i = 0; i < xTest.Length; i++)
            {
                Assert.Equal(c.GetProperty("num_classes").GetInt32(), proba[i].Length);
                Assert.Equal(1.0, proba[i].Sum(), 1e-12);
                for (int k = 0; k < classes.Length; k++)
                    Assert.True(Math.Abs(proba[i][classes[k]] - expected[i][k]) <= 1e-4,
                        $"{at} proba[{i}][{classes[k]}] = {proba[i][classes[k]]} vs sklearn {expected[i][k]}");
            }
            Assert.Equal(c.Ints("pred_test"), model.Predict(xTest));
            Assert.Equal(c.GetProperty("log_loss_train").GetDouble(), model.LogLoss(c.Matrix("X"), c.Ints("y")), 1e-6);
        }
    }

    [Fact]
    public void SeparableData_PerfectTrainingAccuracy()
    {
        // Three tight clusters 10 units apart in 4-D: linearly separable with a wide margin.
        var rng = new Random(1);
        double[][] centres = [[10, 0, 0, 0], [0, 10, 0, 0], [0, 0, 10, 0]];
        int n = 90;
        var y = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var noise = EvaluationFixtures.Gaussian(rng, n, 4);
        var X = Enumerable.Range(0, n).Select(i => centres[y[i]].Zip(noise[i], (a, b) => a + b).ToArray()).ToArray();

        var model = LogisticRegression.Fit(X, y, 3);
        Assert.True(model.Converged);
        Assert.Equal(y, model.Predict(X));
        Assert.All(model.PredictProba(X).Select((p, i) => p[y[i]]), p => Assert.True(p > 0.9));

        // Binary separable case through the sigmoid branch.
        var yb = X.Select(r => r[0] > 5 ? 1 : 0).ToArray();
        var binary = LogisticRegression.Fit(X, yb, 2);
        Assert.Equal(1, binary.Coef.GetLength(0));
        Assert.Equal(yb, binary.Predict(X));
    }

    [Fact]
    public void ExtremeLogits_StayFinite()
    {
        // Features of size 1e3 push logits far past exp overflow unless softmax goes through log-sum-exp.
        double[][] X = [[1000], [900], [-900], [-1000], [1e-3], [-1e-3]];
        int[] y = [2, 2, 0, 0, 1, 1];
        var model = LogisticRegression.Fit(X, y, 3);
        double[][] far = [[1e6], [-1e6]];
        Assert.All(model.PredictProba(far).SelectMany(p => p), p => Assert.True(double.IsFinite(p)));
        Assert.True(double.IsFinite(model.LogLoss(far, [0, 2])));
        Assert.Equal([2, 0], model.Predict(far));
    }

    [Fact]
    public void SingleClass_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([[1.0], [2.0]], [1, 1], 3));
        Assert.Contains("at least 2 classes", ex.Message);
    }

    [Fact]
    public void BadInputs_Throw()
    {
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([[1.0], [2.0]], [0, 1, 1], 2));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([[1.0], [2.0, 3.0]], [0, 1], 2));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([[1.0], [double.NaN]], [0, 1], 2));
        var ex = Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([[1.0], [2.0]], [0, 5], 2));
        Assert.Contains("y[1] = 5", ex.Message);
    }

    [Fact]
    public void Fit600x512x3_Converges() // timing is printed, not asserted: speed belongs in benchmarks
    {
        var rng = new Random(600);
        var X = EvaluationFixtures.Gaussian(rng, 600, 512);
        var y = Enumerable.Range(0, 600).Select(_ => rng.Next(3)).ToArray();
        LogisticRegression.Fit(X[..50], y[..50], 3); // JIT warm-up

        var sw = Stopwatch.StartNew();
        var model = LogisticRegression.Fit(X, y, 3);
        sw.Stop();
        output.WriteLine($"n=600 d=512 K=3: {sw.Elapsed.TotalMilliseconds:F0} ms, {model.Iterations} iterations, converged={model.Converged}");
        Assert.True(model.Converged);
    }
}
