using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

public class SynFogTests
{
    static readonly SynFogConfig Tiny = new(Patients: 2, MinutesPerTask: 0.25, Seed: 3);
    // Eight patients so that "008" (two sessions) is included.
    static readonly SynFogConfig Small = new(Patients: 8, MinutesPerTask: 1, Seed: 1);
    static readonly Lazy<IReadOnlyList<FogRecording>> Normal = new(() => SynFog.Generate(Small));
    static readonly Lazy<IReadOnlyList<FogRecording>> Control = new(() => SynFog.Generate(Small with { NegativeControl = true }));
    static readonly Lazy<IReadOnlyList<FogRecording>> EmgOnly = new(() => SynFog.Generate(Small with { NegativeControl = true, ClassOnlyIn = "emg" }));

    [Fact]
    public void Same_seed_gives_identical_recordings()
    {
        var a = SynFog.Generate(Tiny);
        var b = SynFog.Generate(Tiny);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal((a[i].Patient, a[i].Session, a[i].Task), (b[i].Patient, b[i].Session, b[i].Task));
            Assert.Equal(a[i].Eeg, b[i].Eeg);
            Assert.Equal(a[i].Emg, b[i].Emg);
            Assert.Equal(a[i].Label, b[i].Label);
        }
    }

    [Fact]
    public void Different_seed_gives_different_recordings()
    {
        var a = SynFog.Generate(Tiny);
        var b = SynFog.Generate(Tiny with { Seed = 4 });
        Assert.NotEqual(a[0].Eeg[0], b[0].Eeg[0]);
        Assert.NotEqual(a[0].Emg[0], b[0].Emg[0]);
    }

    [Fact]
    public void A_patient_does_not_depend_on_how_many_others_are_generated()
    {
        var one = SynFog.GeneratePatient(Tiny, 1);
        var all = SynFog.Generate(Tiny with { Patients = 3 }).Where(r => r.Patient == "002").ToList();
        Assert.Equal(one.Count, all.Count);
        for (int i = 0; i < one.Count; i++) { Assert.Equal(one[i].Emg, all[i].Emg); Assert.Equal(one[i].Label, all[i].Label); }
    }

    [Fact]
    public void Recordings_have_the_readers_form_ids_sessions_and_rates()
    {
        var recs = Normal.Value;
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"{i:D3}"), recs.Select(r => r.Patient).Distinct());
        Assert.Equal(["OFF_1", "OFF_2"], recs.Where(r => r.Patient == "008").Select(r => r.Session).Distinct());
        Assert.All(recs.Where(r => r.Patient != "008"), r => Assert.Equal("", r.Session));
        Assert.Equal(["task_1", "task_2"], recs.Where(r => r.Patient == "001").Select(r => r.Task));
        foreach (var r in recs)
        {
            Assert.Equal(500, FogRecording.Hz);
            Assert.Equal(30000, r.Length);   // 1 minute at 500 Hz
            Assert.Equal(6, r.Eeg.Length);
            Assert.Equal(3, r.Emg.Length);
            Assert.All(r.Eeg.Concat(r.Emg), ch => Assert.Equal(r.Length, ch.Length));
            Assert.All(r.Eeg.Concat(r.Emg), ch => Assert.All(ch, v => Assert.True(double.IsFinite(v))));
            Assert.All(r.Label, v => Assert.True(v is 0 or 1));
        }
    }

    [Fact]
    public void Freeze_episodes_last_2_to_15_s_and_cover_a_fifth_to_two_fifths_of_the_time()
    {
        var recs = Normal.Value;
        var episodes = recs.SelectMany(r => Runs(r.Label)).ToList();
        Assert.NotEmpty(episodes);
        Assert.All(episodes, len => Assert.InRange(len / FogRecording.Hz, 2, 15));
        double frozen = recs.Sum(r => r.Label.Sum()) / (double)recs.Sum(r => r.Length);
        Assert.InRange(frozen, 0.2, 0.4);
        Assert.All(recs, r => Assert.InRange(r.Label.Sum() / (double)r.Length, 0.2, 0.4));
        // The control changes the EMG only: same labels, same EEG.
        var ctl = Control.Value;
        Assert.Equal(recs[0].Label, ctl[0].Label);
        Assert.Equal(recs[0].Eeg, ctl[0].Eeg);
    }

    [Fact]
    public void Walking_emg_alternates_between_the_antagonists_and_freezing_breaks_it()
    {
        // Correlation of the two muscles' 0.1-s RMS envelopes: negative while walking, positive while frozen.
        var recs = Normal.Value;
        double walk = EnvelopeCorrelation(recs, 0), freeze = EnvelopeCorrelation(recs, 1);
        Assert.True(walk < -0.1, $"walk {walk:F2}");
        Assert.True(freeze > 0.1, $"freeze {freeze:F2}");
    }

    [Fact]
    public void Emg_tremor_band_predicts_freezing_in_the_normal_set_but_not_in_the_negative_control()
    {
        double Ba(IReadOnlyList<FogRecording> recs)
        {
            var (f, y, p) = Windows(recs, r => r.Emg[0], w => SynLearnability.BandRatio(w, FogRecording.Hz, 3, 8, 1, 200));
            return SynLearnability.HeldOutBalancedAccuracy(f, y, p);
        }
        double normal = Ba(Normal.Value), control = Ba(Control.Value);
        Assert.True(normal > 0.8, $"normal: {normal:F3}");
        Assert.True(Math.Abs(control - 0.5) < 0.1, $"negative control: {control:F3}");
    }

    [Fact]
    public void Eeg_theta_predicts_freezing_in_both_modes()
    {
        foreach (var recs in new[] { Normal.Value, Control.Value })
        {
            var (f, y, p) = Windows(recs, r => r.Eeg[1], w => SynLearnability.BandRatio(w, FogRecording.Hz, 4, 8, 1, 30));
            double ba = SynLearnability.HeldOutBalancedAccuracy(f, y, p);
            Assert.True(ba > 0.7, $"theta: {ba:F3}");
        }
    }

    [Fact]
    public void The_emg_only_control_keeps_freezing_in_the_emg_and_hides_it_from_the_eeg()
    {
        var (f, y, p) = Windows(EmgOnly.Value, r => r.Emg[0], w => SynLearnability.BandRatio(w, FogRecording.Hz, 3, 8, 1, 200));
        Assert.True(SynLearnability.HeldOutBalancedAccuracy(f, y, p) > 0.8);
        var (t, y2, p2) = Windows(EmgOnly.Value, r => r.Eeg[1], w => SynLearnability.BandRatio(w, FogRecording.Hz, 4, 8, 1, 30));
        double ba = SynLearnability.HeldOutBalancedAccuracy(t, y2, p2);
        Assert.True(Math.Abs(ba - 0.5) < 0.1, $"EEG theta in the EMG-only control: {ba:F3}");
    }

    /// <summary>Non-overlapping 3-s windows whose majority label covers ≥ 80 % (the release's rule), with their patient.</summary>
    static (double[] Feature, int[] Label, string[] Patient) Windows(IReadOnlyList<FogRecording> recs, Func<FogRecording, double[]> channel,
        Func<double[], double> feature)
    {
        const int len = 1500;
        var rows = new List<(double[] w, int y, string p)>();
        foreach (var r in recs)
            for (int s = 0; s + len <= r.Length; s += len)
            {
                int ones = 0;
                for (int i = s; i < s + len; i++) ones += r.Label[i];
                int y = ones * 2 >= len ? 1 : 0;
                if (Math.Max(ones, len - ones) < 0.8 * len) continue;
                rows.Add((channel(r)[s..(s + len)], y, r.Patient));
            }
        var f = new double[rows.Count];
        Parallel.For(0, rows.Count, i => f[i] = feature(rows[i].w));
        return (f, rows.Select(r => r.y).ToArray(), rows.Select(r => r.p).ToArray());
    }

    static IEnumerable<int> Runs(int[] label)
    {
        for (int i = 0; i < label.Length;)
        {
            if (label[i] == 0) { i++; continue; }
            int j = i;
            while (j < label.Length && label[j] == 1) j++;
            yield return j - i;
            i = j;
        }
    }

    /// <summary>Mean over recordings of the correlation of the two muscles' log 0.1-s RMS envelopes within one class.</summary>
    static double EnvelopeCorrelation(IReadOnlyList<FogRecording> recs, int cls)
    {
        const int block = 50;
        var per = new List<double>();
        foreach (var r in recs)
        {
            var a = new List<double>(); var b = new List<double>();
            for (int s = 0; s + block <= r.Length; s += block)
            {
                if (r.Label[s] != cls || r.Label[s + block - 1] != cls) continue;
                double ea = 0, eb = 0;
                for (int i = s; i < s + block; i++) { ea += r.Emg[0][i] * r.Emg[0][i]; eb += r.Emg[1][i] * r.Emg[1][i]; }
                a.Add(Math.Log(ea / block)); b.Add(Math.Log(eb / block));
            }
            if (a.Count < 20) continue;
            double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
            per.Add(sab / Math.Sqrt(saa * sbb));
        }
        return per.Average();
    }
}
