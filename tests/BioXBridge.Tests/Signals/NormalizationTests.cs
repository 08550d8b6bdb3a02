using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class NormalizationTests
{
    [Fact]
    public void ZScore_matches_numpy_population_std()
    {
        foreach (var c in DspFixtures.Cases("zscore.json"))
            DspFixtures.AssertClose(c.Doubles("y"), Normalization.ZScore(c.Doubles("x")), "zscore");
    }

    [Fact]
    public void Constant_signal_becomes_zeros() =>
        Assert.All(Normalization.ZScore(Enumerable.Repeat(4.2, 50).ToArray()), v => Assert.Equal(0.0, v));

    [Fact]
    public void Empty_signal_stays_empty() => Assert.Empty(Normalization.ZScore(ReadOnlySpan<double>.Empty));
}
