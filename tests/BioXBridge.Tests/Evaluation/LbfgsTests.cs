using BioXBridge.Evaluation;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

public class LbfgsTests
{
    [Fact]
    public void MinimisesRosenbrock()
    {
        // Curved valley: exercises the line search's bracketing and the memory on a non-convex problem.
        static double F(ReadOnlySpan<double> x, Span<double> g)
        {
            double a = 1 - x[0], b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }
        var r = Lbfgs.Minimize(F, [-1.2, 1.0], maxIterations: 500, gradTolerance: 1e-8, functionTolerance: 0);
        Assert.Equal(LbfgsStatus.GradientConverged, r.Status);
        Assert.Equal(1.0, r.X[0], 1e-6);
        Assert.Equal(1.0, r.X[1], 1e-6);
    }

    [Fact]
    public void FollowsScipyLbfgsbTrajectoryOnIllConditionedQuadratic()
    {
        // f = ½ Σ c_i (x_i − 1)², c geometric from 1 to 1e4, x0 = 0. Reference values from scipy 1.10.1:
        // minimize(..., method='L-BFGS-B', options=dict(maxiter=k, gtol=1e-9, ftol=0)) → (nfev, fun).
        // Equal evaluation counts and f to ~1e-12 show the same line search and memory rule, not just a minimiser.
        int n = 50;
        var c = Enumerable.Range(0, n).Select(i => Math.Pow(1e4, i / (n - 1.0))).ToArray();
        double F(ReadOnlySpan<double> x, Span<double> g)
        {
            double f = 0;
            for (int i = 0; i < n; i++) { double e = x[i] - 1; f += 0.5 * c[i] * e * e; g[i] = c[i] * e; }
            return f;
        }
        foreach (var (iters, nfev, fun) in new[] { (10, 11, 227.9025100929836), (30, 32, 24.142631128775164) })
        {
            var r = Lbfgs.Minimize(F, new double[n], maxIterations: iters, gradTolerance: 1e-9, functionTolerance: 0);
            Assert.Equal(LbfgsStatus.MaxIterations, r.Status);
            Assert.Equal(nfev, r.Evaluations);
            Assert.Equal(fun, r.Value, 1e-9 * fun);
        }
        // scipy needs 1117 iterations to reach the gradient tolerance here; allow the same order.
        var full = Lbfgs.Minimize(F, new double[n], maxIterations: 3000, gradTolerance: 1e-9, functionTolerance: 0);
        Assert.Equal(LbfgsStatus.GradientConverged, full.Status);
        Assert.All(full.X, v => Assert.Equal(1.0, v, 1e-9));
    }

    [Fact]
    public void StopsAtIterationLimit()
    {
        static double F(ReadOnlySpan<double> x, Span<double> g)
        {
            double a = 1 - x[0], b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }
        var r = Lbfgs.Minimize(F, [-1.2, 1.0], maxIterations: 3, gradTolerance: 1e-12, functionTolerance: 0);
        Assert.Equal(LbfgsStatus.MaxIterations, r.Status);
        Assert.Equal(3, r.Iterations);
    }
}
