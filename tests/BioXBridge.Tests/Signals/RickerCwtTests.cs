using System.Text.Json;
using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

/// <summary>Parity with scipy 1.10's signal.ricker / signal.cwt (fixtures from tools/golden/cwt_golden.py).</summary>
public class RickerCwtTests
{
    private static JsonElement Fixture()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dsp", "cwt.json");
        Assert.True(File.Exists(path), $"missing fixture {path}; regenerate with /usr/bin/python3 tools/golden/cwt_golden.py");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void RickerMatchesScipyIncludingFloatLengths()
    {
        foreach (var c in Fixture().GetProperty("ricker").EnumerateArray())
        {
            double points = c.GetProperty("points").GetDouble(), a = c.GetProperty("a").GetDouble();
            DspFixtures.AssertClose(c.Doubles("y"), RickerCwt.Ricker(points, a), $"ricker({points:R}, {a})");
        }
    }

    [Fact]
    public void CwtMatchesScipy()
    {
        foreach (var c in Fixture().GetProperty("cwt").EnumerateArray())
        {
            var x = c.Doubles("x");
            var widths = c.Doubles("widths");
            var y = RickerCwt.Cwt(x, widths);
            DspFixtures.AssertClose(c.Doubles("y"), y.Cast<double>().ToArray(), $"cwt n={x.Length} widths=[{string.Join(", ", widths)}]");
        }
    }

    [Fact]
    public void NormWearScalogramMatchesUpstreamSpecCwt()
    {
        var c = Fixture().GetProperty("normwear");
        var x = c.Doubles("x");
        var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal([3, x.Length - 2, 65], shape);
        var y = RickerCwt.NormWearScalogram(x);
        DspFixtures.AssertClose(c.Doubles("y"), y.Select(v => (double)v).ToArray(), "normwear scalogram (float32 output)");
    }

    [Fact]
    public void WidthsAreNumpysArange()
    {
        Assert.Equal(65, RickerCwt.NormWearWidths.Length);
        Assert.Equal(0.1, RickerCwt.NormWearWidths[0]);
        Assert.Equal(64.1, RickerCwt.NormWearWidths[^1], 12);
    }
}
