using System.Numerics;
using System.Runtime.InteropServices;

namespace BioXBridge.Evaluation;

/// <summary>
/// Linear centred kernel alignment (Kornblith et al. 2019, biased HSIC form), the stage-2 score of bridge
/// position selection (method spec §5): how well old-model block inputs Y align with the chosen new-model
/// features X over the same samples.
/// <para>
/// CKA = ⟨HKH, HLH⟩_F / (‖HKH‖_F ‖HLH‖_F) with K = XXᵀ, L = YYᵀ, H = I − 11ᵀ/n. With column-centred X, Y this
/// equals ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). The feature form costs n·(p² + q² + pq), the Gram form n²·(p + q);
/// we pick the cheaper, so both few-samples-wide-features (flattened N·d tokens) and many-samples-pooled
/// features stay fast.
/// </para>
/// </summary>
public static class LinearCka
{
    /// <summary>Linear CKA in [0, 1] between row-aligned sample matrices (widths may differ).</summary>
    /// <exception cref="ArgumentException">Row counts differ, fewer than 2 rows, ragged rows or non-finite values.</exception>
    public static double Compute(double[][] X, double[][] Y)
    {
        var (xc, n, p) = CentreColumns(X, nameof(X));
        var (yc, ny, q) = CentreColumns(Y, nameof(Y));
        if (n != ny)
            throw new ArgumentException($"X has {n} rows but Y has {ny}; CKA needs the same samples on both sides.");

        double cross, selfX, selfY; // squared Frobenius norms of YᵀX, XᵀX, YᵀY (or of the centred Grams)
        if ((double)p * p + (double)q * q + (double)p * q <= (double)n * (p + q))
        {
            cross = CrossSquaredNorm(xc, p, yc, q, n);
            selfX = CrossSquaredNorm(xc, p, xc, p, n);
            selfY = CrossSquaredNorm(yc, q, yc, q, n);
        }
        else
        {
            // Gram form. Column-centring the data already makes XXᵀ equal HKH, so no explicit H products.
            var kx = Gram(xc, n, p);
            var ly = Gram(yc, n, q);
            cross = 0; selfX = 0; selfY = 0;
            for (int i = 0; i < n; i++)
                for (int j = i, at = i * n + i; j < n; j++, at++)
                {
                    double w = j == i ? 1.0 : 2.0; // only the upper triangle is stored
                    cross += w * kx[at] * ly[at];
                    selfX += w * kx[at] * kx[at];
                    selfY += w * ly[at] * ly[at];
                }
        }

        // A constant side has no variance to align with: HKH = 0 makes CKA 0/0. We report 0 ("no similarity")
        // so position selection ranks such a layer last instead of propagating NaN through an argmax.
        if (selfX == 0 || selfY == 0) return 0.0;
        double cka = cross / (Math.Sqrt(selfX) * Math.Sqrt(selfY));
        return Math.Min(cka, 1.0); // Cauchy–Schwarz bounds it by 1; trim the last-ulp overshoot of CKA(X, X)
    }

    // ‖AᵀB‖²_F for column-major centred A (n × a), B (n × b): every column pair's inner product, squared.
    // Symmetric when A and B are the same array, so compute the upper triangle once.
    private static double CrossSquaredNorm(double[] a, int wa, double[] b, int wb, int n)
    {
        bool same = ReferenceEquals(a, b);
        double sum = 0;
        for (int i = 0; i < wa; i++)
        {
            var ai = a.AsSpan(i * n, n);
            for (int j = same ? i : 0; j < wb; j++)
            {
                double v = VectorMath.Dot(ai, b.AsSpan(j * n, n));
                sum += same && j != i ? 2 * v * v : v * v;
            }
        }
        return sum;
    }

    // Upper triangle (row-major n × n) of the Gram matrix XXᵀ of column-major X (n × w), by rank-1 updates.
    private static double[] Gram(double[] x, int n, int w)
    {
        var g = new double[n * n];
        for (int c = 0; c < w; c++)
        {
            var col = x.AsSpan(c * n, n);
            for (int i = 0; i < n; i++)
            {
                double xi = col[i];
                if (xi != 0) VectorMath.Axpy(xi, col[i..], g.AsSpan(i * n + i, n - i));
            }
        }
        return g;
    }

    // Returns the data transposed to column-major with column means removed. A column whose raw values are all
    // identical is set to exact zeros: subtracting a rounded mean would leave ~1e-17 noise that CKA, being
    // scale-invariant, would otherwise treat as a genuine (random) signal.
    private static (double[] Cols, int N, int W) CentreColumns(double[][] m, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        int n = m.Length;
        if (n < 2) throw new ArgumentException($"{name} needs at least 2 rows (samples), got {n}.", name);
        int w = m[0]?.Length ?? throw new ArgumentException($"{name}[0] is null.", name);
        var cols = new double[n * w];
        for (int i = 0; i < n; i++)
        {
            var row = m[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
            if (row.Length != w)
                throw new ArgumentException($"{name}[{i}] has {row.Length} columns but {name}[0] has {w}.", name);
            for (int j = 0; j < w; j++)
            {
                if (!double.IsFinite(row[j]))
                    throw new ArgumentException($"{name}[{i}][{j}] = {row[j]} is not finite.", name);
                cols[j * n + i] = row[j];
            }
        }
        for (int j = 0; j < w; j++)
        {
            var col = cols.AsSpan(j * n, n);
            double first = col[0], sum = 0;
            bool constant = true;
            foreach (double v in col) { sum += v; constant &= v == first; }
            if (constant) { col.Clear(); continue; }
            double mean = sum / n;
            for (int i = 0; i < n; i++) col[i] -= mean;
        }
        return (cols, n, w);
    }
}
