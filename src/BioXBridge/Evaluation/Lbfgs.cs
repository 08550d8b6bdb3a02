namespace BioXBridge.Evaluation;

/// <summary>Why <see cref="Lbfgs.Minimize"/> stopped.</summary>
public enum LbfgsStatus
{
    /// <summary>max_i |g_i| ≤ gradient tolerance (scipy's pgtol test).</summary>
    GradientConverged,
    /// <summary>Relative decrease of f fell below the function tolerance (scipy's factr·eps test).</summary>
    FunctionConverged,
    /// <summary>The iteration limit was reached first (sklearn would warn ConvergenceWarning).</summary>
    MaxIterations,
    /// <summary>The evaluation budget was exhausted.</summary>
    MaxEvaluations,
    /// <summary>No acceptable step even along steepest descent; x is the best point found.</summary>
    LineSearchFailed,
}

/// <summary>Outcome of a minimisation. <see cref="X"/> is the final iterate.</summary>
public sealed record LbfgsResult(double[] X, double Value, int Iterations, int Evaluations, LbfgsStatus Status);

/// <summary>
/// Limited-memory BFGS for smooth unconstrained problems. It mirrors scipy's L-BFGS-B without bounds (the
/// solver behind sklearn's lbfgs): memory m = 10, H0 = (sᵀy / yᵀy)·I, the Moré–Thuente line search with
/// ftol = 1e-3, gtol = 0.9, xtol = 0.1, first step 1/‖g‖, at most 20 evaluations per line search, and the same
/// stopping tests (projected-gradient max-norm ≤ gtol, relative f decrease ≤ ftol). Matching those details keeps
/// the iterates — and therefore where a loosely-converged fit stops — close to sklearn's.
/// </summary>
public static class Lbfgs
{
    /// <summary>Objective: returns f(x) and writes ∇f(x) into <c>grad</c> (same length as x).</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> grad);

    /// <summary>Minimises <paramref name="f"/> starting from <paramref name="x0"/> (not modified).</summary>
    /// <param name="gradTolerance">Stop when max_i |∂f/∂x_i| ≤ this (scipy <c>gtol</c>; sklearn passes its tol).</param>
    /// <param name="functionTolerance">Stop when (f_prev − f)/max(|f_prev|, |f|, 1) ≤ this (scipy default).</param>
    public static LbfgsResult Minimize(Objective f, double[] x0, int maxIterations = 1000, double gradTolerance = 1e-5,
        double functionTolerance = 2.220446049250313e-09, int memory = 10, int maxEvaluations = 15000,
        int maxLineSearchSteps = 20)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x0);
        if (memory < 1) throw new ArgumentOutOfRangeException(nameof(memory), memory, "memory must be ≥ 1.");
        int n = x0.Length;

        var x = (double[])x0.Clone();
        var g = new double[n];
        double fx = f(x, g);
        int evals = 1;
        if (!double.IsFinite(fx))
            throw new ArgumentException("The objective is not finite at the starting point.", nameof(x0));

        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        for (int i = 0; i < memory; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        int stored = 0, head = 0; // ring buffer: newest pair at (head - 1) mod memory
        double gamma = 1.0;       // H0 scaling sᵀy / yᵀy of the newest pair

        var d = new double[n];
        var xPrev = new double[n];
        var gPrev = new double[n];
        var lineSearch = new MoreThuente();

        if (MaxAbs(g) <= gradTolerance)
            return new LbfgsResult(x, fx, 0, evals, LbfgsStatus.GradientConverged);

        int iter = 0;
        while (true)
        {
            // Search direction d = −H g by the two-loop recursion.
            for (int j = 0; j < n; j++) d[j] = -g[j];
            for (int c = 0; c < stored; c++)
            {
                int i = Mod(head - 1 - c, memory);
                alpha[i] = rho[i] * Dot(s[i], d);
                Axpy(-alpha[i], y[i], d);
            }
            if (stored > 0) Scale(gamma, d);
            for (int c = stored - 1; c >= 0; c--)
            {
                int i = Mod(head - 1 - c, memory);
                double beta = rho[i] * Dot(y[i], d);
                Axpy(alpha[i] - beta, s[i], d);
            }

            double gd = Dot(g, d);
            if (!(gd < 0))
            {
                // Rounding can make the quasi-Newton direction uphill; like L-BFGS-B, drop the memory and use −g.
                if (stored == 0) return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.LineSearchFailed);
                stored = 0; head = 0;
                continue;
            }

            Array.Copy(x, xPrev, n);
            Array.Copy(g, gPrev, n);
            double fPrev = fx;
            // L-BFGS-B's rule: only the very first step is scaled to unit length; later ones try the full step.
            double stp = iter == 0 ? Math.Min(1.0 / Math.Sqrt(Dot(d, d)), 1e10) : 1.0;

            lineSearch.Start(fx, gd, stp, stpMin: 0.0, stpMax: 1e10);
            bool accepted = false;
            for (int ls = 0; ls < maxLineSearchSteps && evals < maxEvaluations; ls++)
            {
                stp = lineSearch.Step;
                for (int j = 0; j < n; j++) x[j] = xPrev[j] + stp * d[j];
                fx = f(x, g);
                evals++;
                double dg = double.IsFinite(fx) ? Dot(g, d) : double.NaN;
                if (!double.IsFinite(fx) || !double.IsFinite(dg))
                {
                    // Overflow far along d: shrink towards the last good point instead of feeding NaN to dcsrch.
                    lineSearch.Shrink();
                    continue;
                }
                if (lineSearch.Next(fx, dg)) { accepted = true; break; }
            }

            if (!accepted)
            {
                Array.Copy(xPrev, x, n);
                Array.Copy(gPrev, g, n);
                fx = fPrev;
                if (evals >= maxEvaluations)
                    return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.MaxEvaluations);
                if (stored == 0) return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.LineSearchFailed);
                stored = 0; head = 0; // L-BFGS-B refreshes the memory and retries along −g
                continue;
            }

            iter++;
            if (MaxAbs(g) <= gradTolerance)
                return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.GradientConverged);
            if (fPrev - fx <= functionTolerance * Math.Max(Math.Max(Math.Abs(fPrev), Math.Abs(fx)), 1.0))
                return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.FunctionConverged);
            if (iter >= maxIterations)
                return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.MaxIterations);
            if (evals >= maxEvaluations)
                return new LbfgsResult(x, fx, iter, evals, LbfgsStatus.MaxEvaluations);

            // Store the new pair unless the curvature condition fails numerically (L-BFGS-B's skip rule).
            var sNew = s[head];
            var yNew = y[head];
            for (int j = 0; j < n; j++) { sNew[j] = x[j] - xPrev[j]; yNew[j] = g[j] - gPrev[j]; }
            double sy = Dot(sNew, yNew), yy = Dot(yNew, yNew);
            if (sy > 2.220446049250313e-16 * yy)
            {
                rho[head] = 1.0 / sy;
                gamma = sy / yy;
                head = (head + 1) % memory;
                stored = Math.Min(stored + 1, memory);
            }
        }
    }

    private static int Mod(int a, int m) => ((a % m) + m) % m;

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0, n = a.Length;
        for (; i + 3 < n; i += 4)
        {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) s0 += a[i] * b[i];
        return (s0 + s1) + (s2 + s3);
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static void Scale(double a, double[] x)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= a;
    }

    private static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (double e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }
}
