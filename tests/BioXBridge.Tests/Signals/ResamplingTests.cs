using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class ResamplingTests
{
    [Fact]
    public void Linear_matches_release_convention()
    {
        foreach (var c in DspFixtures.Cases("resample_linear.json"))
        {
            double f = c.GetProperty("fromHz").GetDouble(), g = c.GetProperty("toHz").GetDouble();
            var y = Resampling.Linear(c.Doubles("x"), f, g);
            DspFixtures.AssertClose(c.Doubles("y"), y, $"linear n={c.GetProperty("n").GetInt32()} {f}→{g} Hz");
        }
    }

    [Fact]
    public void Fft_matches_scipy_resample()
    {
        foreach (var c in DspFixtures.Cases("resample_fft.json"))
        {
            int num = c.GetProperty("num").GetInt32();
            var y = Resampling.Fft(c.Doubles("x"), num);
            DspFixtures.AssertClose(c.Doubles("y"), y, $"fft resample n={c.GetProperty("n").GetInt32()} → {num}");
        }
    }

    [Theory]
    [InlineData(588000, 700, 500, 420000)]
    [InlineData(420000, 500, 100, 84000)]
    [InlineData(7001, 700, 500, 5000)]
    public void Linear_length_is_floor_of_rate_ratio(int n, double f, double g, int expected) =>
        Assert.Equal(expected, Resampling.Linear(new double[n], f, g).Length);

    [Fact]
    public void Linear_keeps_endpoints_and_lines()
    {
        var x = Enumerable.Range(0, 701).Select(i => 3.0 + 0.5 * i).ToArray();
        var y = Resampling.Linear(x, 700, 500);
        Assert.Equal(x[0], y[0]);
        Assert.Equal(x[^1], y[^1], 9);
        for (int i = 1; i < y.Length; i++) Assert.Equal(y[i] - y[i - 1], y[1] - y[0], 9);
    }

    [Fact]
    public void Fft_upsampling_a_wesad_length_preserves_a_tone()
    {
        int n = 64 * 600, num = n * 125 / 64;
        var x = Enumerable.Range(0, n).Select(i => Math.Sin(2 * Math.PI * 1.25 * i / 64.0)).ToArray();
        var y = Resampling.Fft(x, num);
        Assert.Equal(75000, y.Length);
        var expected = Enumerable.Range(0, num).Select(i => Math.Sin(2 * Math.PI * 1.25 * i / 125.0)).ToArray();
        DspFixtures.AssertClose(expected, y, "tone 64→125 Hz");
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Resampling.Linear(new double[10], 0, 100));
        Assert.Throws<ArgumentException>(() => Resampling.Fft(new double[10], 0));
        Assert.Throws<ArgumentException>(() => Resampling.Fft(Array.Empty<double>(), 5));
    }
}
