using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// SynWESAD's promise: in the normal set the class is visible to the ECG (heart rate), in the negative control it lives
/// only in PPG pulse shape. Checked with trivial features and a nearest-class-mean rule on held-out subjects.
/// </summary>
public class LearnabilityTests
{
    const double Chance = 1.0 / 3;

    static double[] EcgMeanRr(PairedWindows p) =>
        Enumerable.Range(0, p.Count).Select(i => SignalFeatures.MeanRr(p.First.Window(i), p.First.RateHz)).ToArray();

    [Fact]
    public void Normal_set_heart_rate_predicts_class_on_held_out_subjects()
    {
        var p = SynWesadFixtures.Normal;
        Assert.Equal(15 * 3 * 13, p.Count);
        double acc = SignalFeatures.HeldOutAccuracy(EcgMeanRr(p), p.Labels, p.Subjects);
        Assert.True(acc >= 0.75, $"ECG mean-RR held-out accuracy {acc:F3}");
        Assert.True(acc < 0.99, $"ECG mean-RR held-out accuracy {acc:F3} makes the task trivial");
    }

    [Fact]
    public void Normal_set_stress_is_fastest_and_baseline_slowest()
    {
        var p = SynWesadFixtures.Normal;
        var rr = EcgMeanRr(p);
        double MeanHr(int c) => Enumerable.Range(0, p.Count).Where(i => p.Labels[i] == c).Average(i => 60 / rr[i]);
        Assert.True(MeanHr(1) > MeanHr(2) && MeanHr(2) > MeanHr(0), $"HR baseline {MeanHr(0):F1}, stress {MeanHr(1):F1}, amusement {MeanHr(2):F1}");
    }

    [Fact]
    public void Paired_windows_are_simultaneous()
    {
        // The pulse rate seen in PPG window i must be the heart rate seen in ECG window i.
        var p = SynWesadFixtures.SmallPrepared;
        var rel = Enumerable.Range(0, p.Count).Select(i =>
        {
            double e = SignalFeatures.MeanRr(p.First.Window(i), 100), q = SignalFeatures.MeanRr(p.Second.Window(i), 125);
            return Math.Abs(e - q) / e;
        }).Order().ToArray();
        Assert.True(rel[rel.Length / 2] < 0.02, $"median relative RR difference {rel[rel.Length / 2]:F3}");
    }

    [Fact]
    public void Negative_control_hides_the_class_from_ecg()
    {
        var p = SynWesadFixtures.NegativeControl;
        double acc = SignalFeatures.HeldOutAccuracy(EcgMeanRr(p), p.Labels, p.Subjects);
        Assert.True(Math.Abs(acc - Chance) <= 0.12, $"ECG mean-RR held-out accuracy {acc:F3} should be near chance");
    }

    [Fact]
    public void Negative_control_keeps_the_class_in_ppg_pulse_shape()
    {
        var p = SynWesadFixtures.NegativeControl;
        var skew = Enumerable.Range(0, p.Count).Select(i => SignalFeatures.Skewness(p.Second.Window(i))).ToArray();
        double acc = SignalFeatures.HeldOutAccuracy(skew, p.Labels, p.Subjects);
        Assert.True(acc >= 0.65, $"PPG skewness held-out accuracy {acc:F3}");
    }

    [Fact]
    public void The_ecg_only_control_hides_the_class_from_ppg_and_keeps_it_in_ecg_morphology()
    {
        // for ECG→PPG: the pulse rate carries nothing (one state per subject), the ECG's T waves and QRS widths do
        var p = SynWesadFixtures.EcgOnlyControl;
        var ppgRr = Enumerable.Range(0, p.Count).Select(i => SignalFeatures.MeanRr(p.Second.Window(i), p.Second.RateHz)).ToArray();
        double rate = SignalFeatures.HeldOutAccuracy(ppgRr, p.Labels, p.Subjects);
        Assert.True(Math.Abs(rate - Chance) <= 0.12, $"PPG pulse-rate held-out accuracy {rate:F3} should be near chance");
        var skew = Enumerable.Range(0, p.Count).Select(i => SignalFeatures.Skewness(p.First.Window(i))).ToArray();
        double shape = SignalFeatures.HeldOutAccuracy(skew, p.Labels, p.Subjects);
        Assert.True(shape >= 0.6, $"ECG skewness held-out accuracy {shape:F3}");
    }
}
