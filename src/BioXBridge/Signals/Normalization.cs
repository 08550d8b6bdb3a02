namespace BioXBridge.Signals;

/// <summary>Per-signal standardisation used by both foundation models' preprocessing.</summary>
public static class Normalization
{
    /// <summary>
    /// (x − mean) / std with the population std (ddof 0, as <c>scipy.stats.zscore</c> and <c>np.std</c>). A constant signal
    /// has nothing to standardise and becomes all zeros rather than NaN, which a model input cannot tolerate.
    /// </summary>
    public static double[] ZScore(ReadOnlySpan<double> x)
    {
        var y = new double[x.Length];
        if (x.Length == 0) return y;
        // Tested exactly: a rounded mean of a constant signal can leave ~1e-16 residues that would divide into ±1.
        bool constant = true;
        foreach (var v in x) if (v != x[0]) { constant = false; break; }
        if (constant) return y;
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        double ss = 0;
        foreach (var v in x) { double d = v - mean; ss += d * d; }
        double std = Math.Sqrt(ss / x.Length);
        if (std == 0) return y;
        for (int i = 0; i < x.Length; i++) y[i] = (x[i] - mean) / std;
        return y;
    }
}
