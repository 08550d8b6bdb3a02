using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class StratifiedKFoldTests
{
    [Fact]
    public void FoldsIdenticalToSklearn()
    {
        foreach (var c in EvaluationFixtures.Cases("stratified_kfold.json"))
        {
            int[] y = c.Ints("y");
            var expected = c.IntMatrix("test_folds");
            var folds = StratifiedKFold.Split(y, c.GetProperty("n_splits").GetInt32()).ToArray();
            Assert.Equal(expected.Length, folds.Length);
            for (int f = 0; f < folds.Length; f++)
            {
                Assert.True(expected[f].SequenceEqual(folds[f].Test), $"{c.Name()} fold {f} test differs");
                // Train is the sorted complement of test.
                var complement = Enumerable.Range(0, y.Length).Except(expected[f]).ToArray();
                Assert.True(complement.SequenceEqual(folds[f].Train), $"{c.Name()} fold {f} train differs");
            }
        }
    }

    [Fact]
    public void TestFoldsPartitionTheSamplesAndStratify()
    {
        var rng = new Random(4);
        int[] y = Enumerable.Range(0, 103).Select(_ => rng.Next(3)).ToArray();
        var folds = StratifiedKFold.Split(y, 5).ToArray();
        var allTest = folds.SelectMany(f => f.Test).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, y.Length), allTest);
        for (int k = 0; k < 3; k++)
        {
            var perFold = folds.Select(f => f.Test.Count(i => y[i] == k)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {k} spread {string.Join(",", perFold)}");
        }
    }

    [Fact]
    public void MoreSplitsThanSamples_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => StratifiedKFold.Split([0, 1, 0, 1], 5));
        Assert.Contains("n_samples=4", ex.Message);
    }

    [Fact]
    public void EveryClassSmallerThanSplits_ThrowsLikeSklearn() =>
        Assert.Throws<ArgumentException>(() => StratifiedKFold.Split([0, 0, 1, 1, 2, 2], 3 + 1));

    [Fact]
    public void FewerThanTwoSplits_Throws() =>
        Assert.Throws<ArgumentException>(() => StratifiedKFold.Split([0, 1, 0, 1], 1));
}
