using System.Numerics;
using System.Runtime.InteropServices;

namespace BioXBridge.Evaluation;

/// <summary>
/// L2-regularised logistic regression fitted by L-BFGS, reproducing scikit-learn's
/// <c>LogisticRegression(penalty='l2', C, solver='lbfgs', max_iter, tol=1e-4, fit_intercept=True)</c>, the
/// stage-1 probe of bridge position selection (release-vs-kit differences: docs/fidelity.md).
/// <para>
/// Objective, intercepts unpenalised: with <see cref="ProbeObjective.Sklearn15"/> (the default, what the release's
/// scikit-learn 1.5.2 minimises) (1/n)·Σ_i logloss_i + ‖W‖²_F / (2Cn); with <see cref="ProbeObjective.Sklearn12"/>
/// n times that, Σ_i logloss_i + ‖W‖²_F / (2C). Same minimiser (that of ½‖W‖² + C·Σ logloss), but the gradient
/// tolerance bounds a mean in one and a sum in the other, so the fits stop at different points. With three or more classes in the training labels it is the full (over-parametrised)
/// softmax model with one weight row per class. With exactly two it is the binary sigmoid model with a single
/// row for <c>Classes[1]</c>, because that is what sklearn's default multi_class='auto' fits (and what newer
/// sklearn always fits for two classes); the symmetric softmax would act like C doubled.
/// </para>
/// <para>
/// Like sklearn, only classes present in <c>y</c> are modelled; <see cref="PredictProba"/> still returns
/// <c>numClasses</c> columns and gives absent classes probability 0, so callers can index by label.
/// </para>
/// </summary>
public sealed class LogisticRegression
{
    // sklearn's log_loss clips probabilities to [eps, 1 − eps] with float64 machine epsilon.
    private const double LogLossEps = 2.220446049250313e-16;

    private readonly double[] _w; // row-major (rows × (d + 1)); column d holds the intercept
    private readonly int _rows;   // 1 for the binary model, Classes.Length otherwise

    private LogisticRegression(int numClasses, int[] classes, int numFeatures, double[] w, LbfgsResult fit)
    {
        NumClasses = numClasses;
        Classes = classes;
        NumFeatures = numFeatures;
        _w = w;
        _rows = classes.Length == 2 ? 1 : classes.Length;
        Iterations = fit.Iterations;
        Converged = fit.Status is LbfgsStatus.GradientConverged or LbfgsStatus.FunctionConverged;
        Coef = new double[_rows, numFeatures];
        Intercept = new double[_rows];
        for (int r = 0; r < _rows; r++)
        {
            for (int j = 0; j < numFeatures; j++) Coef[r, j] = w[r * (numFeatures + 1) + j];
            Intercept[r] = w[r * (numFeatures + 1) + numFeatures];
        }
    }

    /// <summary>Width of <see cref="PredictProba"/> rows; labels live in [0, NumClasses).</summary>
    public int NumClasses { get; }
    /// <summary>Sorted labels seen in training (sklearn <c>classes_</c>).</summary>
    public int[] Classes { get; }
    public int NumFeatures { get; }
    /// <summary>(Classes.Length × d), or (1 × d) for the binary model whose row scores <c>Classes[1]</c>.</summary>
    public double[,] Coef { get; }
    public double[] Intercept { get; }
    public int Iterations { get; }
    /// <summary>False when L-BFGS hit maxIter or could not make progress (sklearn's ConvergenceWarning).</summary>
    public bool Converged { get; }

    /// <summary>Fits on rows of <paramref name="X"/> with labels <paramref name="y"/> in [0, numClasses).</summary>
    /// <param name="tol">sklearn's tol: L-BFGS stops when the largest |gradient| entry of the scaled objective is ≤ tol.</param>
    /// <param name="objective">Which sklearn's objective scaling and L-BFGS-B options to reproduce.</param>
    /// <exception cref="ArgumentException">Shape mismatch, ragged or non-finite X, labels out of range, or fewer
    /// than two distinct labels (sklearn raises the same).</exception>
    public static LogisticRegression Fit(double[][] X, int[] y, int numClasses, double C = 1, int maxIter = 1000,
        double tol = 1e-4, ProbeObjective objective = ProbeObjective.Sklearn15)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (!(C > 0) || double.IsInfinity(C)) throw new ArgumentOutOfRangeException(nameof(C), C, "C must be positive and finite.");
        if (maxIter < 1) throw new ArgumentOutOfRangeException(nameof(maxIter), maxIter, "maxIter must be ≥ 1.");
        if (numClasses < 2) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be ≥ 2.");
        var (flat, n, d) = Flatten(X, -1);
        if (y.Length != n) throw new ArgumentException($"X has {n} rows but y has {y.Length} labels.", nameof(y));

        var seen = new bool[numClasses];
        for (int i = 0; i < n; i++)
        {
            if ((uint)y[i] >= (uint)numClasses)
                throw new ArgumentException($"y[{i}] = {y[i]} is outside the label range [0, {numClasses - 1}].", nameof(y));
            seen[y[i]] = true;
        }
        int[] classes = Enumerable.Range(0, numClasses).Where(k => seen[k]).ToArray();
        if (classes.Length < 2)
            throw new ArgumentException(
                $"Logistic regression needs samples of at least 2 classes; y contains only class {classes[0]}.", nameof(y));

        var index = new int[numClasses];
        for (int c = 0; c < classes.Length; c++) index[classes[c]] = c;
        var yEnc = new int[n];
        for (int i = 0; i < n; i++) yEnc[i] = index[y[i]];

        int rows = classes.Length == 2 ? 1 : classes.Length;
        // sklearn ≥ 1.4 divides the data term by the sample-weight sum (n here) and uses l2 = 1/(C·n); it also raised
        // scipy's line-search budget from 20 to 50 and tightened ftol from 1e7·eps to 64·eps.
        bool mean = objective == ProbeObjective.Sklearn15;
        double dataScale = mean ? 1.0 / n : 1.0;
        double l2 = mean ? 1.0 / (C * n) : 1.0 / C;
        Lbfgs.Objective f = rows == 1
            ? (w, g) => BinaryLoss(flat, yEnc, n, d, dataScale, l2, w, g)
            : (w, g) => MultinomialLoss(flat, yEnc, n, d, rows, dataScale, l2, w, g);
        var result = Lbfgs.Minimize(f, new double[rows * (d + 1)], maxIter, gradTolerance: tol,
            functionTolerance: mean ? 64 * LogLossEps : 1e7 * LogLossEps, maxLineSearchSteps: mean ? 50 : 20);
        return new LogisticRegression(numClasses, classes, d, result.X, result);
    }

    /// <summary>Class probabilities, n × NumClasses (zeros for classes unseen in training).</summary>
    public double[][] PredictProba(double[][] X)
    {
        var (flat, n, _) = Flatten(X, NumFeatures);
        var proba = new double[n][];
        Span<double> z = stackalloc double[_rows];
        for (int i = 0; i < n; i++)
        {
            Logits(flat.AsSpan(i * NumFeatures, NumFeatures), z);
            var p = proba[i] = new double[NumClasses];
            if (_rows == 1)
            {
                double p1 = Sigmoid(z[0]);
                p[Classes[0]] = 1 - p1;
                p[Classes[1]] = p1;
            }
            else
            {
                double lse = LogSumExp(z);
                for (int c = 0; c < _rows; c++) p[Classes[c]] = Math.Exp(z[c] - lse);
            }
        }
        return proba;
    }

    /// <summary>Predicted labels: argmax of the decision function (first maximum on ties), as sklearn.</summary>
    public int[] Predict(double[][] X)
    {
        var (flat, n, _) = Flatten(X, NumFeatures);
        var pred = new int[n];
        Span<double> z = stackalloc double[_rows];
        for (int i = 0; i < n; i++)
        {
            Logits(flat.AsSpan(i * NumFeatures, NumFeatures), z);
            if (_rows == 1) { pred[i] = z[0] > 0 ? Classes[1] : Classes[0]; continue; }
            int best = 0;
            for (int c = 1; c < _rows; c++) if (z[c] > z[best]) best = c;
            pred[i] = Classes[best];
        }
        return pred;
    }

    /// <summary>
    /// Mean cross-entropy −log p(y_i | x_i), computed from log-softmax for accuracy, with p clipped to
    /// [eps, 1 − eps] as sklearn's log_loss does — so a label never seen in training costs −log(eps) ≈ 36.04
    /// instead of infinity.
    /// </summary>
    public double LogLoss(double[][] X, int[] y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var (flat, n, _) = Flatten(X, NumFeatures);
        if (y.Length != n) throw new ArgumentException($"X has {n} rows but y has {y.Length} labels.", nameof(y));
        var index = new int[NumClasses];
        Array.Fill(index, -1);
        for (int c = 0; c < Classes.Length; c++) index[Classes[c]] = c;
        double maxNll = -Math.Log(LogLossEps), minNll = -Math.Log(1 - LogLossEps);
        Span<double> z = stackalloc double[_rows];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            if ((uint)y[i] >= (uint)NumClasses)
                throw new ArgumentException($"y[{i}] = {y[i]} is outside the label range [0, {NumClasses - 1}].", nameof(y));
            int c = index[y[i]];
            double nll;
            if (c < 0) nll = maxNll;
            else
            {
                Logits(flat.AsSpan(i * NumFeatures, NumFeatures), z);
                // Binary: −log σ(±z) = softplus(∓z).
                nll = _rows == 1 ? Softplus(c == 1 ? -z[0] : z[0]) : LogSumExp(z) - z[c];
            }
            total += Math.Clamp(nll, minNll, maxNll);
        }
        return total / n;
    }

    private void Logits(ReadOnlySpan<double> x, Span<double> z)
    {
        int stride = NumFeatures + 1;
        for (int r = 0; r < _rows; r++)
            z[r] = _w[r * stride + NumFeatures] + VectorMath.Dot(x, _w.AsSpan(r * stride, NumFeatures));
    }

    private static double MultinomialLoss(double[] X, int[] y, int n, int d, int k, double dataScale, double l2,
        ReadOnlySpan<double> w, Span<double> grad)
    {
        int stride = d + 1;
        grad.Clear();
        Span<double> z = stackalloc double[k];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            var xi = new ReadOnlySpan<double>(X, i * d, d);
            for (int c = 0; c < k; c++) z[c] = w[c * stride + d] + VectorMath.Dot(xi, w.Slice(c * stride, d));
            double lse = LogSumExp(z);
            loss += lse - z[y[i]];
            for (int c = 0; c < k; c++)
            {
                double r = (Math.Exp(z[c] - lse) - (c == y[i] ? 1.0 : 0.0)) * dataScale;
                VectorMath.Axpy(r, xi, grad.Slice(c * stride, d));
                grad[c * stride + d] += r;
            }
        }
        return loss * dataScale + Penalty(w, grad, k, d, l2);
    }

    private static double BinaryLoss(double[] X, int[] y, int n, int d, double dataScale, double l2,
        ReadOnlySpan<double> w, Span<double> grad)
    {
        grad.Clear();
        var wx = w[..d];
        var gx = grad[..d];
        double loss = 0, gb = 0;
        for (int i = 0; i < n; i++)
        {
            var xi = new ReadOnlySpan<double>(X, i * d, d);
            double z = w[d] + VectorMath.Dot(xi, wx);
            // log(1 + e^z) − y·z, the half-binomial loss sklearn minimises, in overflow-free form.
            loss += Softplus(z) - (y[i] == 1 ? z : 0.0);
            double r = (Sigmoid(z) - y[i]) * dataScale;
            VectorMath.Axpy(r, xi, gx);
            gb += r;
        }
        grad[d] = gb;
        return loss * dataScale + Penalty(w, grad, 1, d, l2);
    }

    // (l2/2)·‖W‖² over weights only: the intercept column is excluded, as in sklearn.
    private static double Penalty(ReadOnlySpan<double> w, Span<double> grad, int rows, int d, double l2)
    {
        double sq = 0;
        for (int r = 0; r < rows; r++)
            for (int j = r * (d + 1), end = j + d; j < end; j++)
            {
                sq += w[j] * w[j];
                grad[j] += l2 * w[j];
            }
        return 0.5 * l2 * sq;
    }

    private static double LogSumExp(ReadOnlySpan<double> z)
    {
        double m = double.NegativeInfinity;
        foreach (double v in z) m = Math.Max(m, v);
        double s = 0;
        foreach (double v in z) s += Math.Exp(v - m);
        return m + Math.Log(s);
    }

    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));

    private static double Sigmoid(double z)
    {
        if (z >= 0) return 1 / (1 + Math.Exp(-z));
        double e = Math.Exp(z);
        return e / (1 + e);
    }

    // Copies rows into one contiguous array (cache-friendly inner loops) and validates shape and finiteness.
    private static (double[] Flat, int N, int D) Flatten(double[][] X, int expectedWidth)
    {
        ArgumentNullException.ThrowIfNull(X);
        if (X.Length == 0) throw new ArgumentException("X has no rows.", nameof(X));
        int d = expectedWidth >= 0 ? expectedWidth : X[0]?.Length ?? 0;
        var flat = new double[X.Length * d];
        for (int i = 0; i < X.Length; i++)
        {
            var row = X[i] ?? throw new ArgumentException($"X[{i}] is null.", nameof(X));
            if (row.Length != d)
                throw new ArgumentException($"X[{i}] has {row.Length} features but {d} were expected.", nameof(X));
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(row[j]))
                    throw new ArgumentException($"X[{i}][{j}] = {row[j]} is not finite.", nameof(X));
            row.CopyTo(flat, i * d);
        }
        return (flat, X.Length, d);
    }
}
