using System.Numerics;

namespace BioXBridge.Signals;

/// <summary>Linear filtering with scipy's <c>lfilter</c>, <c>lfilter_zi</c> and <c>filtfilt</c> (pad method) semantics.</summary>
public static class ZeroPhaseFilter
{
    /// <summary>
    /// <c>scipy.signal.filtfilt(b, a, x)</c> with its defaults: odd extension by padlen = 3·max(len a, len b) samples,
    /// forward and backward passes each started from the steady state (<c>lfilter_zi</c>) scaled by the edge sample.
    /// </summary>
    public static double[] FiltFilt(double[] b, double[] a, ReadOnlySpan<double> x)
    {
        int padlen = 3 * Math.Max(a.Length, b.Length);
        if (x.Length <= padlen)
            throw new ArgumentException(
                $"filtfilt needs more than padlen = {padlen} samples (3·max(len a = {a.Length}, len b = {b.Length})), " +
                $"but the signal has {x.Length}", nameof(x));
        int n = x.Length;

        // Odd extension: reflect through the end samples so the padded signal is continuous in value and slope.
        var ext = new double[n + 2 * padlen];
        for (int i = 0; i < padlen; i++) ext[i] = 2 * x[0] - x[padlen - i];
        x.CopyTo(ext.AsSpan(padlen));
        for (int i = 0; i < padlen; i++) ext[padlen + n + i] = 2 * x[n - 1] - x[n - 2 - i];

        var zi = LFilterZi(b, a);
        var y = LFilter(b, a, ext, Scaled(zi, ext[0]));
        Array.Reverse(y);
        y = LFilter(b, a, y, Scaled(zi, y[0]));
        Array.Reverse(y);
        return y[padlen..(padlen + n)];
    }

    /// <summary>
    /// <c>scipy.signal.lfilter(b, a, x, zi=zi)</c> (transposed direct form II, coefficients normalised by a[0]); with
    /// <paramref name="zi"/> null the filter starts from rest.
    /// </summary>
    public static double[] LFilter(double[] b, double[] a, ReadOnlySpan<double> x, double[]? zi = null)
    {
        var (bn, an) = Normalise(b, a);
        int order = bn.Length - 1;
        if (zi is not null && zi.Length != order)
            throw new ArgumentException($"initial state has {zi.Length} values but the filter needs {order}", nameof(zi));
        var y = new double[x.Length];
        bool fir = true;
        for (int k = 1; k < an.Length; k++) if (an[k] != 0) fir = false;
        if (fir) { FirDirect(bn, x, y, zi); return y; }

        var z = new double[order + 1];   // one spare slot so the last state update reads zero
        if (zi is not null) Array.Copy(zi, z, order);
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            double yi = bn[0] * xi + z[0];
            for (int k = 0; k < order; k++) z[k] = bn[k + 1] * xi + z[k + 1] - an[k + 1] * yi;
            y[i] = yi;
        }
        return y;
    }

    /// <summary>
    /// <c>scipy.signal.lfilter_zi(b, a)</c>: the state that makes a unit step input give a unit-step-response steady
    /// state from the first sample, via scipy's closed-form solution of (I − Aᵀ)·zi = B.
    /// </summary>
    public static double[] LFilterZi(double[] b, double[] a)
    {
        var (bn, an) = Normalise(b, a);
        int order = bn.Length - 1;
        var zi = new double[order];
        if (order == 0) return zi;
        // Σa is tiny for band-pass filters with poles near z = 1 (the paper's Chebyshev: ~4e-8 from O(1) terms), so both
        // sums are accumulated with error-free transformations; plain summation loses ~6 digits of zi here.
        var aTerms = new List<double>(an);
        var cTerms = new List<double>();
        for (int k = 1; k <= order; k++)
        {
            double p = an[k] * bn[0];
            cTerms.Add(bn[k]); cTerms.Add(-p); cTerms.Add(-Math.FusedMultiplyAdd(an[k], bn[0], -p));
        }
        zi[0] = CompensatedSum(cTerms) / CompensatedSum(aTerms);
        double aCum = 1.0, cCum = 0.0;
        for (int k = 1; k < order; k++)
        {
            aCum += an[k];
            cCum += bn[k] - an[k] * bn[0];
            zi[k] = aCum * zi[0] - cCum;
        }
        return zi;
    }

    /// <summary>Neumaier's compensated sum: exact to about one rounding of the result for short lists.</summary>
    static double CompensatedSum(List<double> terms)
    {
        double sum = 0, comp = 0;
        foreach (var t in terms)
        {
            double u = sum + t;
            comp += Math.Abs(sum) >= Math.Abs(t) ? (sum - u) + t : (t - u) + sum;
            sum = u;
        }
        return sum + comp;
    }

    /// <summary>Strip leading zeros of a, divide by a[0], and pad b and a to the same length (as scipy does).</summary>
    static (double[] b, double[] a) Normalise(double[] b, double[] a)
    {
        if (b.Length == 0) throw new ArgumentException("numerator b is empty", nameof(b));
        int lead = 0;
        while (lead < a.Length && a[lead] == 0) lead++;
        if (lead == a.Length) throw new ArgumentException("denominator a must have a non-zero coefficient", nameof(a));
        double a0 = a[lead];
        int len = Math.Max(b.Length, a.Length - lead);
        var bn = new double[len]; var an = new double[len];
        for (int i = 0; i < b.Length; i++) bn[i] = b[i] / a0;
        for (int i = lead; i < a.Length; i++) an[i - lead] = a[i] / a0;
        return (bn, an);
    }

    static double[] Scaled(double[] v, double s)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = v[i] * s;
        return r;
    }

    /// <summary>
    /// FIR case of transposed DF-II written as a convolution: y[n] = Σ b[k]·x[n−k] plus, for the first
    /// `order` outputs, the initial state zi[n] — the FIR states only shift, so zi[n] reaches the output at sample n.
    /// </summary>
    static void FirDirect(double[] b, ReadOnlySpan<double> x, double[] y, double[]? zi)
    {
        int nt = b.Length, n = x.Length;
        // Long filters over long signals (the ECG band-pass: 151 taps × whole sessions) go through one FFT convolution:
        // the same result to rounding level, and several times faster where the JIT does not optimise (Debug test runs).
        if ((long)nt * n > FftConvolutionThreshold) FirFft(b, x, y);
        else FirLoop(b, x, y);
        if (zi is not null)
            for (int i = 0; i < Math.Min(zi.Length, n); i++) y[i] += zi[i];
    }

    const long FftConvolutionThreshold = 4_000_000;

    /// <summary>
    /// Overlap-save block convolution. Two consecutive real blocks ride in the real and imaginary parts of one complex
    /// FFT (the kernel is real, so their outputs come back separated in the real and imaginary parts).
    /// </summary>
    static void FirFft(double[] b, ReadOnlySpan<double> x, double[] y)
    {
        int nt = b.Length, n = x.Length, hist = nt - 1;
        int size = 256;
        while (size < 8 * nt) size <<= 1;
        int step = size - hist;
        var tw = Fft.Twiddles(size);
        var hr = new double[size]; var hi = new double[size];
        b.CopyTo(hr, 0);
        Fft.Radix2(hr, hi, false, tw);
        double scale = 1.0 / size;
        for (int k = 0; k < size; k++) { hr[k] *= scale; hi[k] *= scale; }

        var re = new double[size]; var im = new double[size];
        for (int s0 = 0; s0 < n; s0 += 2 * step)
        {
            int s1 = s0 + step;
            Load(re, x, s0 - hist);
            Load(im, x, s1 - hist);
            Fft.Radix2(re, im, false, tw);
            for (int k = 0; k < size; k++)
            {
                double r = re[k] * hr[k] - im[k] * hi[k];
                im[k] = re[k] * hi[k] + im[k] * hr[k];
                re[k] = r;
            }
            Fft.Radix2(re, im, true, tw);
            // The first nt − 1 outputs of each block are circularly wrapped; the rest are the linear convolution.
            Array.Copy(re, hist, y, s0, Math.Min(step, n - s0));
            if (s1 < n) Array.Copy(im, hist, y, s1, Math.Min(step, n - s1));
        }
    }

    /// <summary>buf = x[from .. from + buf.Length), zero where that range leaves the signal (the filter starts at rest).</summary>
    static void Load(double[] buf, ReadOnlySpan<double> x, int from)
    {
        Array.Clear(buf);
        int a = Math.Max(0, from), e = Math.Min(x.Length, from + buf.Length);
        if (e > a) x[a..e].CopyTo(buf.AsSpan(a - from));
    }

    static void FirLoop(double[] b, ReadOnlySpan<double> x, double[] y)
    {
        int nt = b.Length, n = x.Length;
        var rev = new double[nt];
        for (int k = 0; k < nt; k++) rev[k] = b[nt - 1 - k];
        int vw = Vector<double>.Count;
        for (int i = 0; i < n; i++)
        {
            int start = i - (nt - 1);
            double acc;
            if (start >= 0)
            {
                var xs = x.Slice(start, nt);
                var vacc = Vector<double>.Zero;
                int k = 0;
                for (; k <= nt - vw; k += vw)
                    vacc += new Vector<double>(rev, k) * new Vector<double>(xs.Slice(k, vw));
                acc = Vector.Sum(vacc);
                for (; k < nt; k++) acc += rev[k] * xs[k];
            }
            else
            {
                acc = 0;
                for (int k = -start; k < nt; k++) acc += rev[k] * x[start + k];
            }
            y[i] = acc;
        }
    }
}
