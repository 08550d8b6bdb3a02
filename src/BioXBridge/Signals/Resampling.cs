namespace BioXBridge.Signals;

/// <summary>The two resamplers the paper's preprocessing uses, with the release's exact conventions.</summary>
public static class Resampling
{
    /// <summary>
    /// Linear-interpolation resampling from <paramref name="fromHz"/> to <paramref name="toHz"/> as the release does it:
    /// n_g = floor(n·g/f) output samples; source sample i sits at target position i·(n_g−1)/(n−1)
    /// (numpy <c>linspace(0, n_g−1, n)</c>, endpoints aligned) and the output is <c>np.interp</c> at 0..n_g−1.
    /// </summary>
    public static double[] Linear(ReadOnlySpan<double> x, double fromHz, double toHz)
    {
        if (!(fromHz > 0) || !(toHz > 0))
            throw new ArgumentException($"sampling rates must be positive, got {fromHz} Hz → {toHz} Hz");
        int n = x.Length;
        // Same double arithmetic as Python's int(n * g / f), so lengths agree with the release sample for sample.
        int ng = (int)Math.Floor(n * toHz / fromHz);
        var y = new double[ng];
        if (ng == 0 || n == 0) return y;
        if (n == 1) { Array.Fill(y, x[0]); return y; }

        // numpy linspace: position(i) = i·step, with the last position pinned to n_g − 1 exactly.
        double step = (double)(ng - 1) / (n - 1);
        double Pos(int i) => i == n - 1 ? ng - 1 : i * step;

        int j = 0;
        for (int t = 0; t < ng; t++)
        {
            double tv = t;
            while (j < n - 2 && Pos(j + 1) <= tv) j++;
            double x0 = Pos(j), x1 = Pos(j + 1);
            // np.interp takes the right-most knot at or below t, so a repeated knot (n_g = 1) yields the later sample.
            if (tv >= x1) { y[t] = x[j + 1]; continue; }
            if (tv <= x0) { y[t] = x[j]; continue; }
            double slope = (x[j + 1] - x[j]) / (x1 - x0);
            y[t] = slope * (tv - x0) + x[j];
        }
        return y;
    }

    /// <summary>
    /// <c>scipy.signal.resample(x, num)</c> for real x with no window: keep the common low-frequency bins, split (down)
    /// or halve (up) an even-length Nyquist bin exactly as scipy does, inverse real FFT to <paramref name="num"/>
    /// samples and rescale by num/n. Treats the signal as periodic, so edges can ring.
    /// </summary>
    public static double[] Fft(ReadOnlySpan<double> x, int num)
    {
        int nx = x.Length;
        if (num <= 0) throw new ArgumentException($"target length must be positive, not {num}");
        if (nx == 0) throw new ArgumentException("cannot FFT-resample an empty signal");

        var (xr, xi) = Signals.Fft.RealForward(x);
        int bins = num / 2 + 1;
        var yr = new double[bins]; var yi = new double[bins];
        int common = Math.Min(num, nx);
        int nyq = common / 2 + 1;   // slice end that includes the Nyquist bin when `common` is even
        for (int k = 0; k < nyq; k++) { yr[k] = xr[k]; yi[k] = xi[k]; }
        if (common % 2 == 0)
        {
            int k = common / 2;
            // Downsampling folds the +/− Nyquist pair of the shorter spectrum into one bin (×2); upsampling splits the
            // old Nyquist bin between +N/2 and −N/2 (×0.5, the mirror half comes from Hermitian symmetry in irfft).
            double f = num < nx ? 2.0 : nx < num ? 0.5 : 1.0;
            yr[k] *= f; yi[k] *= f;
        }
        var y = Signals.Fft.RealInverse(yr, yi, num);
        double scale = (double)num / nx;
        for (int i = 0; i < num; i++) y[i] *= scale;
        return y;
    }
}
