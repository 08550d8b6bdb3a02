using System.Numerics;

namespace BioXBridge.Signals;

/// <summary>
/// Self-sorting (Stockham) mixed-radix FFT for lengths whose prime factors are all small, such as WESAD's resampled BVP
/// (734 375 = 5⁶·47). Bluestein would pad such a length to a power of two ≥ 2n − 1 and run three transforms of it; here
/// each factor p costs one pass of about p real multiply-adds per sample, several times less work and memory
/// (Bluestein itself runs its convolution through these passes at a 2^a·3^b·5^c length).
/// Stage with radix p, l1 = product of the earlier factors and ido = n / (l1·p), decimation in frequency:
/// b_j = Σ_m x[i + ido·(m + p·k)]·ω_p^(jm), written to y[i + ido·(k + l1·j)] times the twiddle w_n^(j·l1·i).
/// </summary>
internal sealed class MixedRadixFft
{
    /// <summary>
    /// Largest prime factor given a direct pass (≈ p/2 vector multiply-adds per sample). Measured near n = 735 000:
    /// p = 587 adds ~30 ms and p = 1009 ~60 ms to the transform, Bluestein costs ~130 ms for any length there.
    /// </summary>
    const int MaxRadix = 1024;

    readonly int n;
    readonly int[] factors;
    readonly double[][] twRe, twIm;   // per stage: row j − 1 of length ido holds w_n^(−j·l1·i) (forward sign)

    MixedRadixFft(int n, int[] factors)
    {
        this.n = n;
        this.factors = factors;
        var root = new UnitRoots(n);
        twRe = new double[factors.Length][]; twIm = new double[factors.Length][];
        int l1 = 1;
        for (int s = 0; s < factors.Length; s++)
        {
            int p = factors[s], ido = n / (l1 * p);
            var wr = twRe[s] = new double[(p - 1) * ido];
            var wi = twIm[s] = new double[(p - 1) * ido];
            for (int j = 1; j < p; j++)
                for (int i = 0; i < ido; i++)
                    (wr[(j - 1) * ido + i], wi[(j - 1) * ido + i]) = root.At((long)j * l1 * i);
            l1 *= p;
        }
    }

    /// <summary>A plan for <paramref name="n"/>, or null when a prime factor is too large (use Bluestein instead).</summary>
    public static MixedRadixFft? TryCreate(int n)
    {
        var f = new List<int>();
        int m = n;
        while (m % 4 == 0) { f.Add(4); m /= 4; }
        if (m % 2 == 0) { f.Add(2); m /= 2; }
        for (int p = 3; p <= MaxRadix && m > 1; p += 2)
            while (m % p == 0) { f.Add(p); m /= p; }
        return m == 1 && n > 1 ? new MixedRadixFft(n, f.ToArray()) : null;
    }

    /// <summary>Unscaled in-place transform; <paramref name="inverse"/> uses e^(+2πijk/n).</summary>
    public void Transform(double[] re, double[] im, bool inverse)
    {
        if (re.Length != n || im.Length != n) throw new ArgumentException($"plan is for length {n}, not {re.Length}");
        double sign = inverse ? 1 : -1;
        double[] ar = re, ai = im, br = new double[n], bi = new double[n];
        int l1 = 1;
        for (int s = 0; s < factors.Length; s++)
        {
            int p = factors[s], ido = n / (l1 * p);
            var st = new Stage(ar, ai, br, bi, twRe[s], twIm[s], l1, ido, inverse ? -1 : 1);
            switch (p)
            {
                case 2: Radix2(st); break;
                case 4: Radix4(st, sign); break;
                case 3: Radix3(st, sign); break;
                case 5: Radix5(st, sign); break;
                default: RadixOdd(st, p, sign); break;
            }
            (ar, br) = (br, ar); (ai, bi) = (bi, ai);
            l1 *= p;
        }
        if (!ReferenceEquals(ar, re)) { ar.CopyTo(re, 0); ai.CopyTo(im, 0); }
    }

    /// <summary>Source, destination and twiddles of one pass; <see cref="Conj"/> = −1 conjugates the twiddles (inverse).</summary>
    readonly record struct Stage(double[] Ar, double[] Ai, double[] Br, double[] Bi, double[] Wr, double[] Wi, int L1, int Ido, int Conj)
    {
        /// <summary>Writes output j of butterfly (k, i), multiplied by its twiddle.</summary>
        public void Put(int k, int i, int j, double re, double im)
        {
            int d = i + Ido * (k + L1 * j);
            if (j == 0 || i == 0) { Br[d] = re; Bi[d] = im; return; }
            double wr = Wr[(j - 1) * Ido + i], wi = Conj * Wi[(j - 1) * Ido + i];
            Br[d] = re * wr - im * wi; Bi[d] = re * wi + im * wr;
        }
    }

    static void Radix2(Stage st)
    {
        var (ar, ai, ido) = (st.Ar, st.Ai, st.Ido);
        for (int k = 0; k < st.L1; k++)
            for (int i = 0; i < ido; i++)
            {
                int a = i + ido * 2 * k, b = a + ido;
                st.Put(k, i, 0, ar[a] + ar[b], ai[a] + ai[b]);
                st.Put(k, i, 1, ar[a] - ar[b], ai[a] - ai[b]);
            }
    }

    static void Radix4(Stage st, double sign)
    {
        var (ar, ai, ido) = (st.Ar, st.Ai, st.Ido);
        for (int k = 0; k < st.L1; k++)
            for (int i = 0; i < ido; i++)
            {
                int a0 = i + ido * 4 * k, a1 = a0 + ido, a2 = a1 + ido, a3 = a2 + ido;
                double s02r = ar[a0] + ar[a2], s02i = ai[a0] + ai[a2], d02r = ar[a0] - ar[a2], d02i = ai[a0] - ai[a2];
                double s13r = ar[a1] + ar[a3], s13i = ai[a1] + ai[a3];
                // ω_4^(±1) = ±i: (a1 − a3)·(sign·i)
                double rr = -sign * (ai[a1] - ai[a3]), ri = sign * (ar[a1] - ar[a3]);
                st.Put(k, i, 0, s02r + s13r, s02i + s13i);
                st.Put(k, i, 1, d02r + rr, d02i + ri);
                st.Put(k, i, 2, s02r - s13r, s02i - s13i);
                st.Put(k, i, 3, d02r - rr, d02i - ri);
            }
    }

    /// <summary>The odd pass below with p = 3 unrolled (the common factors get straight-line butterflies).</summary>
    static void Radix3(Stage st, double sign)
    {
        var (ar, ai, ido) = (st.Ar, st.Ai, st.Ido);
        double s1 = sign * Math.Sin(2 * Math.PI / 3);
        for (int k = 0; k < st.L1; k++)
            for (int i = 0; i < ido; i++)
            {
                int a0 = i + ido * 3 * k, a1 = a0 + ido, a2 = a1 + ido;
                double tr = ar[a1] + ar[a2], ti = ai[a1] + ai[a2];
                double ur = s1 * (ar[a1] - ar[a2]), ui = s1 * (ai[a1] - ai[a2]);
                double cr = ar[a0] - 0.5 * tr, ci = ai[a0] - 0.5 * ti;
                st.Put(k, i, 0, ar[a0] + tr, ai[a0] + ti);
                st.Put(k, i, 1, cr - ui, ci + ur);
                st.Put(k, i, 2, cr + ui, ci - ur);
            }
    }

    /// <summary>The odd pass below with p = 5 unrolled.</summary>
    static void Radix5(Stage st, double sign)
    {
        var (ar, ai, ido) = (st.Ar, st.Ai, st.Ido);
        double c1 = Math.Cos(2 * Math.PI / 5), c2 = Math.Cos(4 * Math.PI / 5);
        double s1 = sign * Math.Sin(2 * Math.PI / 5), s2 = sign * Math.Sin(4 * Math.PI / 5);
        for (int k = 0; k < st.L1; k++)
            for (int i = 0; i < ido; i++)
            {
                int a0 = i + ido * 5 * k, a1 = a0 + ido, a2 = a1 + ido, a3 = a2 + ido, a4 = a3 + ido;
                double p1r = ar[a1] + ar[a4], p1i = ai[a1] + ai[a4], m1r = ar[a1] - ar[a4], m1i = ai[a1] - ai[a4];
                double p2r = ar[a2] + ar[a3], p2i = ai[a2] + ai[a3], m2r = ar[a2] - ar[a3], m2i = ai[a2] - ai[a3];
                double x0r = ar[a0], x0i = ai[a0];
                double t1r = x0r + c1 * p1r + c2 * p2r, t1i = x0i + c1 * p1i + c2 * p2i;
                double t2r = x0r + c2 * p1r + c1 * p2r, t2i = x0i + c2 * p1i + c1 * p2i;
                double u1r = s1 * m1r + s2 * m2r, u1i = s1 * m1i + s2 * m2i;   // sin(8π/5) = −sin(2π/5)
                double u2r = s2 * m1r - s1 * m2r, u2i = s2 * m1i - s1 * m2i;
                st.Put(k, i, 0, x0r + p1r + p2r, x0i + p1i + p2i);
                st.Put(k, i, 1, t1r - u1i, t1i + u1r);
                st.Put(k, i, 4, t1r + u1i, t1i - u1r);
                st.Put(k, i, 2, t2r - u2i, t2i + u2r);
                st.Put(k, i, 3, t2r + u2i, t2i - u2r);
            }
    }

    /// <summary>
    /// Odd radix p with the inputs paired as (a_m ± a_(p−m)): outputs j and p − j share the cosine sum T and the sine
    /// sum U, b_(j, p−j) = a_0 + T ± sign·i·U, which halves the multiplications of a plain p-point DFT.
    /// </summary>
    static void RadixOdd(Stage st, int p, double sign)
    {
        var (ar, ai, ido) = (st.Ar, st.Ai, st.Ido);
        int h = p / 2, vw = Vector<double>.Count, hp = (h + vw - 1) / vw * vw;
        // Row j − 1 holds cos / sin(2π·j·m/p) for m = 1..h, zero-padded to whole vectors so T and U are vector dot products.
        var cos = new double[h * hp]; var sin = new double[h * hp];
        for (int j = 1; j <= h; j++)
            for (int m = 1; m <= h; m++)
                (sin[(j - 1) * hp + m - 1], cos[(j - 1) * hp + m - 1]) = Math.SinCos(2 * Math.PI * (j * m % p) / p);
        var pr = new double[hp]; var pi = new double[hp]; var mr = new double[hp]; var mi = new double[hp];
        for (int k = 0; k < st.L1; k++)
            for (int i = 0; i < ido; i++)
            {
                int a0 = i + ido * p * k;
                double x0r = ar[a0], x0i = ai[a0], sumr = x0r, sumi = x0i;
                for (int m = 1; m <= h; m++)
                {
                    int u = a0 + ido * m, v = a0 + ido * (p - m);
                    pr[m - 1] = ar[u] + ar[v]; pi[m - 1] = ai[u] + ai[v];
                    mr[m - 1] = ar[u] - ar[v]; mi[m - 1] = ai[u] - ai[v];
                    sumr += pr[m - 1]; sumi += pi[m - 1];
                }
                st.Put(k, i, 0, sumr, sumi);
                for (int j = 1; j <= h; j++)
                {
                    Vector<double> tr = default, ti = default, ur = default, ui = default;
                    for (int m = 0, row = (j - 1) * hp; m < hp; m += vw)
                    {
                        var c = new Vector<double>(cos, row + m); var sn = new Vector<double>(sin, row + m);
                        tr += c * new Vector<double>(pr, m); ti += c * new Vector<double>(pi, m);
                        ur += sn * new Vector<double>(mr, m); ui += sn * new Vector<double>(mi, m);
                    }
                    double trs = x0r + Vector.Sum(tr), tis = x0i + Vector.Sum(ti), urs = Vector.Sum(ur), uis = Vector.Sum(ui);
                    // sign·i·U = (−sign·U_im, sign·U_re)
                    st.Put(k, i, j, trs - sign * uis, tis + sign * urs);
                    st.Put(k, i, p - j, trs + sign * uis, tis - sign * urs);
                }
            }
    }

    /// <summary>
    /// e^(−2πim/n) for any 0 ≤ m &lt; n from two tables of √n entries (w^m = w^(qB)·w^r): accurate to a few ulp
    /// without n separate sin/cos evaluations.
    /// </summary>
    readonly struct UnitRoots
    {
        readonly int n, b;
        readonly double[] cr, ci, fr, fi;

        public UnitRoots(int n)
        {
            this.n = n;
            b = (int)Math.Ceiling(Math.Sqrt(n));
            int coarse = n / b + 1;
            cr = new double[coarse]; ci = new double[coarse]; fr = new double[b]; fi = new double[b];
            for (int q = 0; q < coarse; q++) (ci[q], cr[q]) = SinCos((long)q * b);
            for (int r = 0; r < b; r++) (fi[r], fr[r]) = SinCos(r);
        }

        (double Sin, double Cos) SinCos(long m)
        {
            var (s, c) = Math.SinCos(2 * Math.PI * m / n);
            return (-s, c);
        }

        public (double Re, double Im) At(long m)
        {
            int q = (int)(m / b), r = (int)(m % b);
            return (cr[q] * fr[r] - ci[q] * fi[r], cr[q] * fi[r] + ci[q] * fr[r]);
        }
    }
}
