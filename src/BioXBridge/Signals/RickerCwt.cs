namespace BioXBridge.Signals;

/// <summary>
/// The Ricker-wavelet continuous wavelet transform exactly as scipy (before 1.15, which removed both) computes it
/// (<c>scipy.signal.cwt(data, scipy.signal.ricker, widths)</c>): NormWear's scalograms are built with it, and the
/// published checkpoint was trained on its quirks, so they are kept rather than "fixed":
/// <list type="bullet">
/// <item>the wavelet length is <c>points = min(10·a, n)</c>, a <em>float</em>; <c>np.arange(0, points)</c> then holds
/// ⌈points⌉ samples, so 10·1.1 = 11.000000000000002 gives 12 samples, centred at (points − 1)/2 and thus not
/// symmetric — the time reversal in <c>cwt</c> matters;</item>
/// <item>each row is <c>convolve(data, wavelet[::-1], mode='same')</c>: the centred n samples of the full convolution,
/// starting at (m − 1)/2 (integer division) for a kernel of m samples.</item>
/// </list>
/// Direct summation in double precision (a 388-sample window costs ~6M multiply-adds per signal).
/// </summary>
public static class RickerCwt
{
    /// <summary>scipy.signal.ricker(points, a): A·(1 − t²/a²)·exp(−t²/(2a²)), A = 2/(√(3a)·π^¼), t = i − (points − 1)/2.</summary>
    public static double[] Ricker(double points, double a)
    {
        if (!(a > 0)) throw new ArgumentOutOfRangeException(nameof(a), a, "wavelet width must be positive");
        int count = Math.Max(0, (int)Math.Ceiling(points)); // np.arange(0, points) with a float stop
        double amplitude = 2 / (Math.Sqrt(3 * a) * Math.Pow(Math.PI, 0.25));
        double wsq = a * a, centre = (points - 1.0) / 2;
        var w = new double[count];
        for (int i = 0; i < count; i++)
        {
            double t = i - centre, xsq = t * t;
            w[i] = amplitude * (1 - xsq / wsq) * Math.Exp(-xsq / (2 * wsq));
        }
        return w;
    }

    /// <summary>NormWear's 65 widths: <c>np.arange(0.1, 65)</c> = 0.1, 1.1, …, 64.1 (computed as 0.1 + i, as numpy does).</summary>
    public static double[] NormWearWidths { get; } = Enumerable.Range(0, 65).Select(i => 0.1 + i).ToArray();

    /// <summary>scipy.signal.cwt(data, ricker, widths): row j = convolve(data, ricker(min(10·w_j, n), w_j)[::-1], 'same').</summary>
    public static double[,] Cwt(ReadOnlySpan<double> data, IReadOnlyList<double> widths)
    {
        int n = data.Length;
        var output = new double[widths.Count, n];
        for (int j = 0; j < widths.Count; j++)
        {
            var row = ConvolveSameReversed(data, Ricker(Math.Min(10 * widths[j], n), widths[j]));
            for (int t = 0; t < n; t++) output[j, t] = row[t];
        }
        return output;
    }

    /// <summary>
    /// convolve(data, w[::-1], mode='same'): full[t] = Σ_k data[t − k]·w[m − 1 − k]; 'same' keeps full[s .. s + n)
    /// with s = (m − 1)/2. Written as a correlation with w: same[i] = Σ_j data[i + s − (m − 1) + j]·w[j].
    /// </summary>
    private static double[] ConvolveSameReversed(ReadOnlySpan<double> data, double[] w)
    {
        int n = data.Length, m = w.Length;
        var y = new double[n];
        if (m == 0) return y;
        int offset = (m - 1) / 2 - (m - 1);
        for (int i = 0; i < n; i++)
        {
            int first = i + offset; // data index paired with w[0]
            int j0 = Math.Max(0, -first), j1 = Math.Min(m, n - first);
            double acc = 0;
            for (int j = j0; j < j1; j++) acc += data[first + j] * w[j];
            y[i] = acc;
        }
        return y;
    }

    /// <summary>
    /// One channel's NormWear scalogram (upstream <c>spec_cwt</c>): the signal, its first and its second difference,
    /// aligned to their common n − 2 samples (x[2:], d1[1:], d2), each transformed at <see cref="NormWearWidths"/>.
    /// Returns (3, n − 2, 65) in C order, time before scale (upstream transposes scipy's (scale, time) rows).
    /// </summary>
    public static float[] NormWearScalogram(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        if (n < 3) throw new ArgumentException($"a scalogram needs at least 3 samples, got {n}", nameof(x));
        int len = n - 2, scales = NormWearWidths.Length;
        var signals = new double[3][];
        signals[0] = x[2..].ToArray();
        var d1 = new double[n - 1];
        for (int i = 0; i < n - 1; i++) d1[i] = x[i + 1] - x[i];
        signals[1] = d1[1..];
        signals[2] = new double[len];
        for (int i = 0; i < len; i++) signals[2][i] = d1[i + 1] - d1[i];
        var result = new float[3 * len * scales];
        for (int s = 0; s < 3; s++)
        {
            var c = Cwt(signals[s], NormWearWidths);
            for (int t = 0; t < len; t++)
                for (int j = 0; j < scales; j++)
                    result[(s * len + t) * scales + j] = (float)c[j, t];
        }
        return result;
    }
}
