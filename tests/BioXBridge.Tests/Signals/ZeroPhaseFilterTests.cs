using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class ZeroPhaseFilterTests
{
    [Fact]
    public void FiltFilt_LFilter_and_zi_match_scipy_for_both_paper_filters()
    {
        foreach (var c in DspFixtures.Cases("filtfilt.json"))
        {
            string name = c.GetProperty("name").GetString()!;
            double[] b = c.Doubles("b"), a = c.Doubles("a"), x = c.Doubles("x");
            DspFixtures.AssertClose(c.Doubles("zi"), ZeroPhaseFilter.LFilterZi(b, a), $"{name} lfilter_zi");
            DspFixtures.AssertClose(c.Doubles("lfilter"), ZeroPhaseFilter.LFilter(b, a, x), $"{name} lfilter");
            DspFixtures.AssertClose(c.Doubles("filtfilt"), ZeroPhaseFilter.FiltFilt(b, a, x), $"{name} filtfilt");
        }
    }

    [Fact]
    public void FiltFilt_with_designed_filters_matches_fixture_coefficients_path()
    {
        // The pipeline designs its filters in C#; filtering with those must agree with scipy end to end.
        var c = DspFixtures.Cases("filtfilt.json").First(e => e.GetProperty("name").GetString() == "cheby1");
        var (b, a) = Chebyshev1.BandPass(4, 0.5, 0.5, 12, 125);
        DspFixtures.AssertClose(c.Doubles("filtfilt"), ZeroPhaseFilter.FiltFilt(b, a, c.Doubles("x")), "designed cheby1 filtfilt");
        var f = DspFixtures.Cases("filtfilt.json").First(e => e.GetProperty("name").GetString() == "fir151");
        DspFixtures.AssertClose(f.Doubles("filtfilt"), ZeroPhaseFilter.FiltFilt(FirFilter.BandPassTaps(150, 0.05, 47, 500), [1.0], f.Doubles("x")),
            "designed FIR filtfilt");
    }

    [Fact]
    public void FiltFilt_rejects_signals_not_longer_than_padlen()
    {
        var (b, a) = Chebyshev1.BandPass(4, 0.5, 0.5, 12, 125);
        var ex = Assert.Throws<ArgumentException>(() => ZeroPhaseFilter.FiltFilt(b, a, new double[20]));
        Assert.Contains("padlen = 27", ex.Message);
        Assert.Contains("20", ex.Message);
        Assert.Throws<ArgumentException>(() => ZeroPhaseFilter.FiltFilt(b, a, new double[27]));
        ZeroPhaseFilter.FiltFilt(b, a, new double[28]);
        var fir = FirFilter.BandPassTaps(150, 0.05, 47, 500);
        var ex2 = Assert.Throws<ArgumentException>(() => ZeroPhaseFilter.FiltFilt(fir, [1.0], new double[453]));
        Assert.Contains("453", ex2.Message);
    }

    [Fact]
    public void LFilter_normalises_by_a0()
    {
        var x = new double[] { 1, 2, 3, 4 };
        var y1 = ZeroPhaseFilter.LFilter([1.0, 0.5], [1.0, -0.3], x);
        var y2 = ZeroPhaseFilter.LFilter([2.0, 1.0], [2.0, -0.6], x);
        DspFixtures.AssertClose(y1, y2, "a0 normalisation");
    }
}

public class LongFirTests
{
    [Fact]
    public void Long_fir_lfilter_matches_direct_convolution_with_initial_state()
    {
        // Long FIR runs take the FFT-convolution route; it must equal the textbook sum including the zi start-up.
        var b = FirFilter.BandPassTaps(150, 0.05, 47, 500);
        var rng = new Random(5);
        var x = Enumerable.Range(0, 40_000).Select(i => Math.Sin(i * 0.01) + rng.NextDouble() - 0.5).ToArray();
        var zi = ZeroPhaseFilter.LFilterZi(b, [1.0]).Select(v => v * x[0]).ToArray();
        var y = ZeroPhaseFilter.LFilter(b, [1.0], x, zi);
        var expected = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double acc = i < zi.Length ? zi[i] : 0;
            for (int k = 0; k < b.Length && k <= i; k++) acc += b[k] * x[i - k];
            expected[i] = acc;
        }
        DspFixtures.AssertClose(expected, y, "long FIR lfilter");
        Assert.True(Math.Abs(expected[^1] - y[^1]) < 1e-12);
    }
}
