using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Signals;

public class HeartRateTests
{
    /// <summary>R peaks every <paramref name="rr"/> seconds with T waves 0.25 s later and a slow baseline wander.</summary>
    private static float[] Ecg(double[] rr, double fs = 100, double seconds = 60)
    {
        var x = new float[(int)(seconds * fs)];
        double t = 0.5;
        for (int k = 0; t < seconds; t += rr[k++ % rr.Length])
            for (int i = 0; i < x.Length; i++)
            {
                double s = i / fs;
                x[i] += (float)(3 * Math.Exp(-Math.Pow((s - t) / 0.012, 2)) + 0.9 * Math.Exp(-Math.Pow((s - t - 0.25) / 0.05, 2)));
            }
        for (int i = 0; i < x.Length; i++) x[i] += (float)(0.8 * Math.Sin(2 * Math.PI * 0.15 * i / fs));
        return x;
    }

    [Fact]
    public void SteadyRhythmGivesItsRateAndNoVariability()
    {
        var (bpm, rrStd) = HeartRate.Estimate(Ecg([0.8]), 100);
        Assert.Equal(75, bpm, 0.5);
        Assert.True(rrStd < 5, $"RR std {rrStd} ms");
    }

    [Fact]
    public void AlternatingIntervalsGiveTheirMeanAndStandardDeviation()
    {
        // RR alternates 0.7 / 0.9 s: mean 0.8 s → 75 bpm, population std 100 ms
        var (bpm, rrStd) = HeartRate.Estimate(Ecg([0.7, 0.9]), 100);
        Assert.Equal(75, bpm, 1.0);
        Assert.Equal(100, rrStd, 10.0);
    }

    [Fact]
    public void FlatSignalHasNoBeats() => Assert.Equal((0.0, 0.0), HeartRate.Estimate(new float[6000], 100));
}
