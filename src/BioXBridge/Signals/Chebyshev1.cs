using System.Numerics;

namespace BioXBridge.Signals;

/// <summary>
/// Digital Chebyshev type-I band-pass design following scipy's route step for step (cheb1ap → prewarp → lp2bp_zpk →
/// bilinear_zpk → zpk2tf), so the coefficients agree with <c>scipy.signal.cheby1(..., btype='band', fs=fs)</c>.
/// </summary>
public static class Chebyshev1
{
    public static (double[] b, double[] a) BandPass(int order, double rippleDb, double lowHz, double highHz, double fs)
    {
        if (order < 1) throw new ArgumentException($"filter order must be at least 1, not {order}");
        if (!(rippleDb > 0)) throw new ArgumentException($"pass-band ripple must be positive, not {rippleDb} dB");
        double nyq = fs / 2;
        if (!(lowHz > 0 && lowHz < highHz && highHz < nyq))
            throw new ArgumentException($"band edges must satisfy 0 < {lowHz} < {highHz} < Nyquist ({nyq} Hz)");

        var (p, k) = AnalogPrototype(order, rippleDb);

        // Prewarp the normalised edges (scipy works with fs = 2 after normalising Wn to Nyquist).
        const double fsN = 2.0;
        double w1 = 2 * fsN * Math.Tan(Math.PI * (lowHz / nyq) / fsN);
        double w2 = 2 * fsN * Math.Tan(Math.PI * (highHz / nyq) / fsN);
        double bw = w2 - w1, wo = Math.Sqrt(w1 * w2);

        // lp2bp_zpk: every low-pass pole splits into two; the prototype's `order` zeros at infinity become zeros at s = 0.
        var pbp = new List<Complex>(2 * order);
        foreach (var pl in p)
        {
            var q = pl * (bw / 2);
            var r = Complex.Sqrt(q * q - wo * wo);
            pbp.Add(q + r);
        }
        foreach (var pl in p)
        {
            var q = pl * (bw / 2);
            var r = Complex.Sqrt(q * q - wo * wo);
            pbp.Add(q - r);
        }
        var zbp = Enumerable.Repeat(Complex.Zero, order).ToList();
        double kbp = k * Math.Pow(bw, order);

        // bilinear_zpk with fs = 2: the remaining zeros at infinity map to z = −1.
        double fs2 = 2 * fsN;
        var zz = zbp.Select(z => (fs2 + z) / (fs2 - z)).ToList();
        var pz = pbp.Select(pp => (fs2 + pp) / (fs2 - pp)).ToList();
        int degree = pz.Count - zz.Count;
        for (int i = 0; i < degree; i++) zz.Add(-Complex.One);
        Complex num = Complex.One, den = Complex.One;
        foreach (var z in zbp) num *= fs2 - z;
        foreach (var pp in pbp) den *= fs2 - pp;
        double kz = kbp * (num / den).Real;

        var b = Poly(zz).Select(c => c * kz).ToArray();
        var a = Poly(pz);
        return (b, a);
    }

    /// <summary>scipy <c>cheb1ap</c>: poles of the unit-cutoff analog prototype and its gain.</summary>
    static (Complex[] poles, double gain) AnalogPrototype(int n, double rp)
    {
        double eps = Math.Sqrt(Math.Pow(10, 0.1 * rp) - 1.0);
        double mu = 1.0 / n * Math.Asinh(1 / eps);
        var p = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            int m = -n + 1 + 2 * i;
            double theta = Math.PI * m / (2 * n);
            p[i] = -Complex.Sinh(new Complex(mu, theta));
        }
        Complex prod = Complex.One;
        foreach (var pi in p) prod *= -pi;
        double k = prod.Real;
        // Even orders start the pass band at the ripple trough, so the DC gain is 1/√(1+ε²).
        if (n % 2 == 0) k /= Math.Sqrt(1 + eps * eps);
        return (p, k);
    }

    /// <summary>numpy <c>poly</c>: monic polynomial with the given roots; real because roots come in conjugate pairs.</summary>
    static double[] Poly(IReadOnlyList<Complex> roots)
    {
        var c = new Complex[roots.Count + 1];
        c[0] = Complex.One;
        for (int r = 0; r < roots.Count; r++)
            for (int i = r + 1; i >= 1; i--) c[i] -= roots[r] * c[i - 1];
        return c.Select(v => v.Real).ToArray();
    }
}
