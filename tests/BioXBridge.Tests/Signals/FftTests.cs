using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class FftTests
{
    [Fact]
    public void RealForward_matches_numpy_rfft()
    {
        foreach (var c in DspFixtures.Cases("rfft.json"))
        {
            var (re, im) = Fft.RealForward(c.Doubles("x"));
            int n = c.GetProperty("n").GetInt32();
            DspFixtures.AssertClose(c.Doubles("re"), re, $"rfft n={n} real");
            DspFixtures.AssertClose(c.Doubles("im"), im, $"rfft n={n} imag");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(31)]
    [InlineData(64)]
    [InlineData(97)]
    [InlineData(250)]    // 2·5³: radix-2 and odd passes (MixedRadixFft)
    [InlineData(940)]    // 4·5·47: radix-4 pass and a large odd radix
    [InlineData(1125)]   // 3²·5³
    [InlineData(2062)]   // 2·1031: prime factor too large for a direct pass, so Bluestein (convolution length 4320 = 2⁵·3³·5)
    public void Transform_matches_naive_dft(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (er, ei) = (new double[n], new double[n]);
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
            {
                var (s, co) = Math.SinCos(-2 * Math.PI * ((long)j * k % n) / n);
                er[k] += re[j] * co - im[j] * s;
                ei[k] += re[j] * s + im[j] * co;
            }
        var (ar, ai) = ((double[])re.Clone(), (double[])im.Clone());
        Fft.Transform(ar, ai);
        DspFixtures.AssertClose(er, ar, $"dft n={n} real");
        DspFixtures.AssertClose(ei, ai, $"dft n={n} imag");
        Fft.Transform(ar, ai, inverse: true);
        DspFixtures.AssertClose(re, ar, $"round trip n={n} real");
        DspFixtures.AssertClose(im, ai, $"round trip n={n} imag");
    }

    [Theory]
    [InlineData(38400)]   // 64 Hz × 600 s
    [InlineData(734375)]  // 5⁶·47: a full SynWESAD session's BVP resampled to 125 Hz
    [InlineData(733750)]  // 2·5⁴·587: another SynWESAD subject; a direct radix-587 pass
    [InlineData(100003)]  // prime
    [InlineData(131072)]
    public void Long_real_round_trip_is_accurate(int n)
    {
        var rng = new Random(1);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (re, im) = Fft.RealForward(x);
        var back = Fft.RealInverse(re, im, n);
        DspFixtures.AssertClose(x, back, $"irfft(rfft) n={n}");
        // Parseval ties the spectrum's scale to the signal's energy.
        double et = x.Sum(v => v * v), ef = 0;
        for (int k = 0; k < re.Length; k++)
        {
            double w = k == 0 || (n % 2 == 0 && k == n / 2) ? 1 : 2;
            ef += w * (re[k] * re[k] + im[k] * im[k]);
        }
        Assert.Equal(et, ef / n, 6);
    }
}
