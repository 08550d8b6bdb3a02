using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class LinearCkaTests
{
    private static double[][] MatMul(double[][] a, double[][] b) =>
        a.Select(row => Enumerable.Range(0, b[0].Length).Select(j => row.Select((v, k) => v * b[k][j]).Sum()).ToArray())
         .ToArray();

    private static double[][] Scale(double[][] a, double s) => a.Select(r => r.Select(v => v * s).ToArray()).ToArray();

    // Random orthogonal matrix: modified Gram–Schmidt on the columns of a Gaussian matrix.
    private static double[][] RandomOrthogonal(Random rng, int p)
    {
        var cols = EvaluationFixtures.Gaussian(rng, p, p); // cols[j] is column j
        for (int j = 0; j < p; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double d = cols[j].Zip(cols[k], (a, b) => a * b).Sum();
                for (int i = 0; i < p; i++) cols[j][i] -= d * cols[k][i];
            }
            double norm = Math.Sqrt(cols[j].Sum(v => v * v));
            for (int i = 0; i < p; i++) cols[j][i] /= norm;
        }
        return Enumerable.Range(0, p).Select(i => Enumerable.Range(0, p).Select(j => cols[j][i]).ToArray()).ToArray();
    }

    private static (double[][] X, double[][] Y) Pair(Random rng, int n, int p, int q)
    {
        var X = EvaluationFixtures.Gaussian(rng, n, p);
        var W = EvaluationFixtures.Gaussian(rng, p, q);
        var Y = MatMul(X, W).Zip(EvaluationFixtures.Gaussian(rng, n, q),
            (r, e) => r.Zip(e, (a, b) => Math.Tanh(a) + 0.7 * b).ToArray()).ToArray();
        return (X, Y);
    }

    [Theory]
    [InlineData(50, 6, 9)]   // feature form (n large relative to widths)
    [InlineData(8, 30, 20)]  // Gram form (widths exceed n)
    public void SelfSimilarityIsOne(int n, int p, int q)
    {
        var (X, Y) = Pair(new Random(n), n, p, q);
        Assert.Equal(1.0, LinearCka.Compute(X, X), 1e-12);
        Assert.Equal(1.0, LinearCka.Compute(Y, Y), 1e-12);
    }

    [Theory]
    [InlineData(50, 6, 9)]
    [InlineData(8, 30, 20)]
    public void InvariantToOrthogonalTransformAndIsotropicScale(int n, int p, int q)
    {
        var rng = new Random(100 + n);
        var (X, Y) = Pair(rng, n, p, q);
        double cka = LinearCka.Compute(X, Y);
        Assert.InRange(cka, 0.01, 0.99);

        Assert.Equal(cka, LinearCka.Compute(MatMul(X, RandomOrthogonal(rng, p)), Y), 1e-10);
        Assert.Equal(cka, LinearCka.Compute(X, MatMul(Y, RandomOrthogonal(rng, q))), 1e-10);
        Assert.Equal(cka, LinearCka.Compute(Scale(X, 37.5), Y), 1e-12);
        Assert.Equal(cka, LinearCka.Compute(X, Scale(Y, 1e-3)), 1e-12);
        // Centring makes it invariant to adding a constant row offset too.
        Assert.Equal(cka, LinearCka.Compute(X.Select(r => r.Select((v, j) => v + j * 5.0).ToArray()).ToArray(), Y), 1e-10);
    }

    [Fact]
    public void Symmetric()
    {
        var (X, Y) = Pair(new Random(9), 40, 7, 3);
        Assert.Equal(LinearCka.Compute(X, Y), LinearCka.Compute(Y, X), 1e-14);
    }

    [Fact]
    public void MatchesNumpyReference()
    {
        foreach (var c in EvaluationFixtures.Cases("cka.json"))
            Assert.True(Math.Abs(LinearCka.Compute(c.Matrix("X"), c.Matrix("Y")) - c.GetProperty("cka").GetDouble()) < 1e-10,
                c.Name());
    }

    [Fact]
    public void ConstantSide_ReturnsZero()
    {
        var (X, _) = Pair(new Random(2), 20, 4, 1);
        var constant = Enumerable.Range(0, 20).Select(_ => new[] { 0.1, 3.0 }).ToArray();
        Assert.Equal(0.0, LinearCka.Compute(X, constant));
        Assert.Equal(0.0, LinearCka.Compute(constant, X));
    }

    [Fact]
    public void RowMismatch_Throws()
    {
        var (X, Y) = Pair(new Random(3), 10, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => LinearCka.Compute(X, Y[..9]));
        Assert.Contains("10 rows", ex.Message);
    }
}
