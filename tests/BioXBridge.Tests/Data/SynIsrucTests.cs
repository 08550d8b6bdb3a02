using BioXBridge.Data;
using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Data;

public class SynIsrucTests
{
    static readonly SynIsrucConfig Tiny = new(Subjects: 2, Epochs: 6, Seed: 3);
    static readonly SynIsrucConfig Small = new(Subjects: 10, Epochs: 60, Seed: 1);
    static readonly Lazy<IReadOnlyList<IsrucSession>> Normal = new(() => SynIsruc.Generate(Small));
    static readonly Lazy<IReadOnlyList<IsrucSession>> Control = new(() => SynIsruc.Generate(Small with { NegativeControl = true }));
    static readonly Lazy<IReadOnlyList<IsrucSession>> EcgOnly = new(() => SynIsruc.Generate(Small with { NegativeControl = true, ClassOnlyIn = "ecg" }));

    [Fact]
    public void Same_seed_gives_identical_sessions()
    {
        var a = SynIsruc.Generate(Tiny);
        var b = SynIsruc.Generate(Tiny);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Subject, b[i].Subject);
            Assert.Equal(a[i].Stages, b[i].Stages);
            foreach (var name in IsrucSession.EegChannels.Append(IsrucSession.EcgChannel))
                Assert.Equal(a[i].Channels[name], b[i].Channels[name]);
        }
    }

    [Fact]
    public void Different_seed_gives_different_sessions()
    {
        var a = SynIsruc.Generate(Tiny);
        var b = SynIsruc.Generate(Tiny with { Seed = 4 });
        Assert.NotEqual(a[0].Channels["O1_A2"][0], b[0].Channels["O1_A2"][0]);
        Assert.NotEqual(a[0].Channels["X2"][0], b[0].Channels["X2"][0]);
    }

    [Fact]
    public void A_subject_does_not_depend_on_how_many_others_are_generated()
    {
        var one = SynIsruc.GenerateSubject(Tiny, 1);
        var all = SynIsruc.Generate(Tiny with { Subjects = 3 });
        Assert.Equal(one.Stages, all[1].Stages);
        Assert.Equal(one.Channels["C3_A2"], all[1].Channels["C3_A2"]);
        Assert.Equal(one.Channels["X2"], all[1].Channels["X2"]);
    }

    [Fact]
    public void Sessions_have_the_readers_form_and_isruc_numbering()
    {
        var sessions = SynIsruc.Generate(Tiny with { Subjects = 3 });
        Assert.Equal(["1", "2", "3"], sessions.Select(s => s.Subject));
        foreach (var s in sessions)
        {
            s.Validate($"SynISRUC subject {s.Subject}");
            Assert.Equal(6, s.Epochs);
            Assert.Equal(7, s.Channels.Count);
            Assert.All(s.Channels.Values.SelectMany(r => r), row => Assert.All(row, v => Assert.True(double.IsFinite(v))));
        }
    }

    [Fact]
    public void Hypnogram_starts_awake_visits_every_stage_and_has_the_papers_wake_share()
    {
        var sessions = Normal.Value;
        Assert.All(sessions, s => Assert.Equal(SleepStage.W, s.Stages[0]));
        var all = sessions.SelectMany(s => s.Stages).ToArray();
        foreach (var st in Enum.GetValues<SleepStage>()) Assert.Contains(st, all);
        // Every subject is held to the paper's imbalance (20–30 % wake).
        Assert.All(sessions, s => Assert.InRange(s.Stages.Count(x => x == SleepStage.W) / (double)s.Epochs, 0.2, 0.3));
        // Sleep is consolidated: most epochs keep the previous stage.
        int same = sessions.Sum(s => Enumerable.Range(1, s.Epochs - 1).Count(e => s.Stages[e] == s.Stages[e - 1]));
        Assert.True(same > 0.7 * sessions.Sum(s => s.Epochs - 1));
    }

    [Fact]
    public void Eeg_amplitudes_are_microvolt_like_and_ecg_is_continuous_across_epochs()
    {
        var s = Normal.Value[0];
        double sd = Std(s.Channels["C3_A2"].SelectMany(r => r).ToArray());
        Assert.InRange(sd, 5, 150);
        // The R-peak train crosses epoch boundaries without a gap: mean RR over two joined epochs matches the single ones.
        var x2 = s.Channels["X2"];
        double joined = SignalFeatures.MeanRr(Z(x2[10].Concat(x2[11]).ToArray()), IsrucSession.Hz);
        double single = 0.5 * (SignalFeatures.MeanRr(Z(x2[10]), IsrucSession.Hz) + SignalFeatures.MeanRr(Z(x2[11]), IsrucSession.Hz));
        Assert.InRange(joined, 0.4, 1.6);
        Assert.InRange(Math.Abs(joined - single), 0, 0.05);
    }

    [Fact]
    public void Eeg_alpha_predicts_wake_on_held_out_subjects_in_both_modes()
    {
        foreach (var sessions in new[] { Normal.Value, Control.Value })
        {
            var (f, y, subj) = Features(sessions, "O1_A2", e => SynLearnability.BandRatio(e, IsrucSession.Hz, 8, 12, 0.5, 30));
            double ba = SynLearnability.HeldOutBalancedAccuracy(f, y, subj);
            Assert.True(ba > 0.85, $"alpha: {ba:F3}");
        }
    }

    [Fact]
    public void Ecg_mean_rr_predicts_wake_in_the_normal_set_but_not_in_the_negative_control()
    {
        double Ba(IReadOnlyList<IsrucSession> s)
        {
            var (f, y, subj) = Features(s, IsrucSession.EcgChannel, e => SignalFeatures.MeanRr(Z(e), IsrucSession.Hz));
            return SynLearnability.HeldOutBalancedAccuracy(f, y, subj);
        }
        double normal = Ba(Normal.Value), control = Ba(Control.Value);
        Assert.True(normal > 0.7, $"normal: {normal:F3}");
        Assert.True(Math.Abs(control - 0.5) < 0.1, $"negative control: {control:F3}");
    }

    [Fact]
    public void The_ecg_only_control_keeps_the_stages_in_the_ecg_and_hides_them_from_the_eeg()
    {
        var (rr, y, subj) = Features(EcgOnly.Value, IsrucSession.EcgChannel, e => SignalFeatures.MeanRr(Z(e), IsrucSession.Hz));
        Assert.True(SynLearnability.HeldOutBalancedAccuracy(rr, y, subj) > 0.7);
        var (alpha, y2, subj2) = Features(EcgOnly.Value, "O1_A2", e => SynLearnability.BandRatio(e, IsrucSession.Hz, 8, 12, 0.5, 30));
        double ba = SynLearnability.HeldOutBalancedAccuracy(alpha, y2, subj2);
        Assert.True(Math.Abs(ba - 0.5) < 0.1, $"EEG alpha in the ECG-only control: {ba:F3}");
        Assert.Throws<ArgumentException>(() => SynIsruc.GenerateSubject(Tiny with { NegativeControl = true, ClassOnlyIn = "emg" }, 0));
    }

    [Fact]
    public void Stage_events_show_in_their_bands()
    {
        // Mean band-power ratio on C3 per stage: slow waves peak in N3, spindles (11–16 Hz) are above wake's level in N2.
        var rows = Normal.Value.SelectMany(s => s.Channels["C3_A2"].Select((e, i) => (e, st: s.Stages[i]))).ToArray();
        double Mean(SleepStage st, double lo, double hi) =>
            rows.Where(r => r.st == st).Select(r => SynLearnability.BandRatio(r.e, IsrucSession.Hz, lo, hi, 0.5, 30)).Average();
        double deltaN3 = Mean(SleepStage.N3, 0.5, 2);
        foreach (var st in new[] { SleepStage.W, SleepStage.N1, SleepStage.N2, SleepStage.REM }) Assert.True(deltaN3 > Mean(st, 0.5, 2), $"{st}");
        Assert.True(Mean(SleepStage.N2, 12, 15) > Mean(SleepStage.N3, 12, 15));
        Assert.True(Mean(SleepStage.N1, 4, 8) > Mean(SleepStage.W, 4, 8));
    }

    static (double[] Feature, int[] Label, string[] Subject) Features(IReadOnlyList<IsrucSession> sessions, string channel, Func<double[], double> feature)
    {
        var rows = sessions.SelectMany(s => s.Channels[channel].Select((e, i) => (s.Subject, e, y: s.Stages[i] == SleepStage.W ? 0 : 1))).ToArray();
        var f = new double[rows.Length];
        Parallel.For(0, rows.Length, i => f[i] = feature(rows[i].e));
        return (f, rows.Select(r => r.y).ToArray(), rows.Select(r => r.Subject).ToArray());
    }

    static float[] Z(double[] x) => Normalization.ZScore(x).Select(v => (float)v).ToArray();

    static double Std(double[] x)
    {
        double m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / x.Length);
    }
}

/// <summary>Band-power ratios and a two-class subject-wise nearest-class-mean probe reporting balanced accuracy.</summary>
internal static class SynLearnability
{
    /// <summary>Power in [lo, hi) Hz over power in [totalLo, totalHi) Hz of one window (periodogram).</summary>
    public static double BandRatio(double[] x, double fs, double lo, double hi, double totalLo, double totalHi)
    {
        var (re, im) = Fft.RealForward(x);
        double band = 0, total = 0;
        for (int k = 1; k < re.Length; k++)
        {
            double f = k * fs / x.Length, p = re[k] * re[k] + im[k] * im[k];
            if (f >= lo && f < hi) band += p;
            if (f >= totalLo && f < totalHi) total += p;
        }
        return band / total;
    }

    /// <summary>
    /// Two-fold subject-wise balanced accuracy of a nearest-class-mean rule on a 1-D feature (classes 0 and 1): class means
    /// from one half of the subjects, predictions on the other half, and back. Balanced, because wake and freeze are the
    /// minority (chance is 0.5 whatever the imbalance).
    /// </summary>
    public static double HeldOutBalancedAccuracy(double[] feature, int[] labels, string[] subjects)
    {
        var names = subjects.Distinct().ToArray();
        var correct = new int[2]; var total = new int[2];
        for (int fold = 0; fold < 2; fold++)
        {
            var test = names.Where((_, k) => k % 2 == fold).ToHashSet();
            var mean = new double[2];
            for (int c = 0; c < 2; c++)
                mean[c] = Enumerable.Range(0, feature.Length)
                    .Where(i => !test.Contains(subjects[i]) && labels[i] == c && !double.IsNaN(feature[i])).Average(i => feature[i]);
            for (int i = 0; i < feature.Length; i++)
            {
                if (!test.Contains(subjects[i])) continue;
                int pred = Math.Abs(feature[i] - mean[1]) < Math.Abs(feature[i] - mean[0]) ? 1 : 0;
                total[labels[i]]++;
                if (pred == labels[i]) correct[labels[i]]++;
            }
        }
        return 0.5 * ((double)correct[0] / total[0] + (double)correct[1] / total[1]);
    }
}
