using System.Numerics;

namespace BioXBridge.Signals;

/// <summary>
/// Discrete Fourier transform of any length in O(n log n): iterative radix-2 for powers of two, a mixed-radix pass per
/// small prime factor (<see cref="MixedRadixFft"/>: "WESAD-sized" lengths such as 38400 or 734375) and Bluestein's
/// chirp-z transform for lengths with a large prime factor.
/// Conventions match numpy/scipy: forward X[k] = Σ x[j]·e^(−2πijk/n) unscaled, inverse scaled by 1/n.
/// </summary>
public static class Fft
{
    /// <summary>In-place complex DFT of (re, im); <paramref name="inverse"/> applies e^(+2πijk/n) and the 1/n scale.</summary>
    public static void Transform(double[] re, double[] im, bool inverse = false)
    {
        if (re.Length != im.Length)
            throw new ArgumentException($"real part has {re.Length} samples but imaginary part has {im.Length}");
        int n = re.Length;
        if (n <= 1) return;
        if (IsPowerOfTwo(n)) Radix2(re, im, inverse);
        else if (MixedRadixFft.TryCreate(n) is { } plan) plan.Transform(re, im, inverse);
        else Bluestein(re, im, inverse);
        if (inverse)
        {
            double s = 1.0 / n;
            for (int i = 0; i < n; i++) { re[i] *= s; im[i] *= s; }
        }
    }

    /// <summary>numpy.fft.rfft: the n/2+1 non-negative-frequency bins of a real signal.</summary>
    public static (double[] Re, double[] Im) RealForward(ReadOnlySpan<double> x)
    {
        int n = x.Length, bins = n / 2 + 1;
        if (n == 0) throw new ArgumentException("cannot transform an empty signal");
        if (n % 2 == 1 || n == 2)
        {
            var fr = x.ToArray(); var fi = new double[n];
            Transform(fr, fi);
            return (fr[..bins], fi[..bins]);
        }
        // Even n: pack even/odd samples into one complex signal of half the length, transform once, then untangle.
        int h = n / 2;
        var zr = new double[h]; var zi = new double[h];
        for (int k = 0; k < h; k++) { zr[k] = x[2 * k]; zi[k] = x[2 * k + 1]; }
        Transform(zr, zi);
        var xr = new double[bins]; var xi = new double[bins];
        for (int k = 0; k <= h; k++)
        {
            int a = k % h, b = (h - k) % h;
            double er = 0.5 * (zr[a] + zr[b]), ei = 0.5 * (zi[a] - zi[b]);   // spectrum of the even samples
            double or = 0.5 * (zi[a] + zi[b]), oi = -0.5 * (zr[a] - zr[b]);  // spectrum of the odd samples
            var (s, c) = Math.SinCos(2 * Math.PI * k / n);
            xr[k] = er + (c * or + s * oi);
            xi[k] = ei + (c * oi - s * or);
        }
        return (xr, xi);
    }

    /// <summary>
    /// numpy.fft.irfft(X, n): real signal of length n from its n/2+1 non-negative-frequency bins. As in pocketfft, the
    /// imaginary parts of the DC bin and (even n) of the Nyquist bin are ignored.
    /// </summary>
    public static double[] RealInverse(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int n)
    {
        int bins = n / 2 + 1;
        if (n <= 0) throw new ArgumentException($"output length must be positive, not {n}");
        if (re.Length < bins || im.Length < bins)
            throw new ArgumentException($"irfft to {n} samples needs {bins} bins, got {re.Length} real / {im.Length} imaginary");
        if (n % 2 == 1 || n == 2)
        {
            var fr = new double[n]; var fi = new double[n];
            for (int k = 0; k < bins; k++) { fr[k] = re[k]; fi[k] = im[k]; }
            fi[0] = 0;
            if (n % 2 == 0) fi[n / 2] = 0;
            for (int k = 1; k < bins; k++) { fr[n - k] = re[k]; fi[n - k] = -fi[k]; }
            Transform(fr, fi, inverse: true);
            return fr;
        }
        int h = n / 2;
        var zr = new double[h]; var zi = new double[h];
        for (int k = 0; k < h; k++)
        {
            double ar = re[k], ai = k == 0 ? 0 : im[k];
            double br = re[h - k], bi = h - k == h || h - k == 0 ? 0 : im[h - k];
            double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
            double dr = 0.5 * (ar - br), di = 0.5 * (ai + bi);
            var (s, c) = Math.SinCos(2 * Math.PI * k / n);
            double or = dr * c - di * s, oi = dr * s + di * c;   // (X_k − conj X_{h−k})·e^(+2πik/n)/2
            zr[k] = er - oi; zi[k] = ei + or;                      // E + i·O
        }
        Transform(zr, zi, inverse: true);
        var y = new double[n];
        for (int k = 0; k < h; k++) { y[2 * k] = zr[k]; y[2 * k + 1] = zi[k]; }
        return y;
    }

    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    /// <summary>
    /// Smallest 2^a·3^b·5^c ≥ n: Bluestein's convolution length. Up to half the padding of the next power of two, and
    /// the mixed-radix passes for 3 and 5 cost about what radix 2 does per sample.
    /// </summary>
    static int SmoothSize(long n)
    {
        if (n > 1 << 30) throw new ArgumentException($"transform length {n} is too large");
        long best = 1;
        while (best < n) best <<= 1;
        for (long p5 = 1; p5 < best; p5 *= 5)
            for (long p35 = p5; p35 < best; p35 *= 3)
            {
                long m = p35;
                while (m < n) m <<= 1;
                if (m < best) best = m;
            }
        return (int)best;
    }

    /// <summary>Unscaled transform of one fixed length, its twiddles computed once for repeated use.</summary>
    static Action<double[], double[], bool> Planned(int m)
    {
        if (IsPowerOfTwo(m))
        {
            var tw = Twiddles(m);
            return (r, i, inverse) => Radix2(r, i, inverse, tw);
        }
        return MixedRadixFft.TryCreate(m)!.Transform;
    }

    /// <summary>Unscaled in-place radix-2 transform (n a power of two); pass <see cref="Twiddles"/> to reuse them across calls.</summary>
    internal static void Radix2(double[] re, double[] im, bool inverse, (double[] Re, double[] Im)? twiddles = null)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        var (wr, wi) = twiddles ?? Twiddles(n);
        double sign = inverse ? -1 : 1;   // the inverse uses conjugate twiddles
        // Stages up to `block` only mix samples within one block: finish them block by block while the block is in cache,
        // then stream the remaining long stages over the whole array (far fewer passes through memory for long inputs).
        int block = Math.Min(n, 1 << 14);
        for (int start = 0; start < n; start += block)
            for (int len = 2; len <= block; len <<= 1) Stage(re, im, wr, wi, sign, start, start + block, len);
        for (int len = block << 1; len <= n; len <<= 1) Stage(re, im, wr, wi, sign, 0, n, len);
    }

    /// <summary>
    /// Forward twiddles per stage laid end to end (stage with half-length h at offset h − 1) so every stage reads them
    /// sequentially; computed directly, not by recurrence, so errors stay at rounding level for long transforms.
    /// </summary>
    internal static (double[] Re, double[] Im) Twiddles(int n)
    {
        var wr = new double[n]; var wi = new double[n];
        for (int h = 1; h < n; h <<= 1)
            for (int k = 0; k < h; k++)
            {
                var (s, c) = Math.SinCos(Math.PI * k / h);
                wr[h - 1 + k] = c; wi[h - 1 + k] = -s;
            }
        return (wr, wi);
    }

    static void Stage(double[] re, double[] im, double[] wr, double[] wi, double sign, int from, int to, int len)
    {
        int hl = len >> 1, vw = Vector<double>.Count;
        if (hl >= vw)
        {
            // Butterflies k .. k + vw − 1 of a group read consecutive samples and twiddles: one vector each.
            var vs = new Vector<double>(sign);
            for (int i = from; i < to; i += len)
                for (int k = 0; k < hl; k += vw)
                {
                    int a = i + k, b = a + hl, t = hl - 1 + k;
                    var cr = new Vector<double>(wr, t); var ci = vs * new Vector<double>(wi, t);
                    var br = new Vector<double>(re, b); var bi = new Vector<double>(im, b);
                    var xr = br * cr - bi * ci; var xi = br * ci + bi * cr;
                    var ar = new Vector<double>(re, a); var ai = new Vector<double>(im, a);
                    (ar - xr).CopyTo(re, b); (ai - xi).CopyTo(im, b);
                    (ar + xr).CopyTo(re, a); (ai + xi).CopyTo(im, a);
                }
            return;
        }
        for (int i = from; i < to; i += len)
        {
            for (int k = 0, t = hl - 1; k < hl; k++, t++)
            {
                int a = i + k, b = a + hl;
                double cr = wr[t], ci = sign * wi[t];
                double xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
                re[b] = re[a] - xr; im[b] = im[a] - xi;
                re[a] += xr; im[a] += xi;
            }
        }
    }

    static void Bluestein(double[] re, double[] im, bool inverse)
    {
        int n = re.Length;
        int m = SmoothSize(2L * n - 1);
        var transform = Planned(m);
        // Chirp w_k = e^(∓iπk²/n); k² is reduced mod 2n in integers so the angle stays exact for large k.
        var cr = new double[n]; var ci = new double[n];
        double sign = inverse ? 1 : -1;
        long twoN = 2L * n;
        for (int k = 0; k < n; k++)
        {
            long q = (long)k * k % twoN;
            var (s, c) = Math.SinCos(Math.PI * q / n);
            cr[k] = c; ci[k] = sign * s;
        }
        var ar = new double[m]; var ai = new double[m];
        for (int k = 0; k < n; k++)
        {
            ar[k] = re[k] * cr[k] - im[k] * ci[k];
            ai[k] = re[k] * ci[k] + im[k] * cr[k];
        }
        var br = new double[m]; var bi = new double[m];
        br[0] = cr[0]; bi[0] = -ci[0];
        for (int k = 1; k < n; k++)
        {
            br[k] = br[m - k] = cr[k];
            bi[k] = bi[m - k] = -ci[k];
        }
        transform(ar, ai, false);
        transform(br, bi, false);
        for (int k = 0; k < m; k++)
        {
            double xr = ar[k] * br[k] - ai[k] * bi[k];
            ai[k] = ar[k] * bi[k] + ai[k] * br[k];
            ar[k] = xr;
        }
        transform(ar, ai, true);
        double scale = 1.0 / m;
        for (int k = 0; k < n; k++)
        {
            double xr = ar[k] * scale, xi = ai[k] * scale;
            re[k] = xr * cr[k] - xi * ci[k];
            im[k] = xr * ci[k] + xi * cr[k];
        }
    }
}
