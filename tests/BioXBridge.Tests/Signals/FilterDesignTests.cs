using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class FilterDesignTests
{
    [Fact]
    public void Firwin_matches_scipy()
    {
        foreach (var c in DspFixtures.Cases("firwin.json"))
        {
            int taps = c.GetProperty("numtaps").GetInt32();
            var h = FirFilter.Firwin(taps, c.Doubles("cutoffsHz"), c.GetProperty("passZero").GetBoolean(), c.GetProperty("fs").GetDouble());
            DspFixtures.AssertClose(c.Doubles("h"), h, $"firwin {taps} taps [{string.Join(", ", c.Doubles("cutoffsHz"))}]");
        }
    }

    [Fact]
    public void Biosppy_order_150_band_pass_has_151_taps()
    {
        var h = FirFilter.BandPassTaps(150, 0.05, 47, 500);
        Assert.Equal(151, h.Length);
        var paper = DspFixtures.Cases("firwin.json").First(c => c.GetProperty("numtaps").GetInt32() == 151);
        DspFixtures.AssertClose(paper.Doubles("h"), h, "paper FIR band-pass");
        Assert.Equal(151, FirFilter.BandPassTaps(151, 0.05, 47, 500).Length);
    }

    [Fact]
    public void Firwin_rejects_even_taps_that_pass_nyquist_and_bad_cutoffs()
    {
        Assert.Throws<ArgumentException>(() => FirFilter.Firwin(30, [10.0], passZero: false, fs: 100));
        Assert.Throws<ArgumentException>(() => FirFilter.Firwin(31, [60.0], passZero: true, fs: 100));
        Assert.Throws<ArgumentException>(() => FirFilter.Firwin(31, [20.0, 10.0], passZero: false, fs: 100));
    }

    [Fact]
    public void Cheby1_band_pass_matches_scipy()
    {
        foreach (var c in DspFixtures.Cases("cheby1.json"))
        {
            int order = c.GetProperty("order").GetInt32();
            var (b, a) = Chebyshev1.BandPass(order, c.GetProperty("rippleDb").GetDouble(), c.GetProperty("lowHz").GetDouble(),
                c.GetProperty("highHz").GetDouble(), c.GetProperty("fs").GetDouble());
            DspFixtures.AssertClose(c.Doubles("b"), b, $"cheby1 order {order} b");
            DspFixtures.AssertClose(c.Doubles("a"), a, $"cheby1 order {order} a");
        }
    }

    [Fact]
    public void Cheby1_rejects_edges_outside_the_band() =>
        Assert.Throws<ArgumentException>(() => Chebyshev1.BandPass(4, 0.5, 0.5, 70, 125));
}
