using BioXBridge.Data;
using BioXBridge.Signals;
using Xunit;

namespace BioXBridge.Tests.Data;

public class FogPreprocessingTests
{
    static FogRecording FixtureRecording()
    {
        static double[][] Rows(Npy.Array a)
        {
            var v = a.AsFloat32(); int c = (int)a.Shape[0], n = (int)a.Shape[1];
            return Enumerable.Range(0, c).Select(i => v.AsSpan(i * n, n).ToArray().Select(x => (double)x).ToArray()).ToArray();
        }
        return new FogRecording("008", "OFF_1", "task_1", Rows(PrepFixtures.Load("fog_eeg_in.npy")),
            Rows(PrepFixtures.Load("fog_emg_in.npy")), PrepFixtures.Ints("fog_label_in.npy"));
    }

    static readonly Lazy<PairedWindows> Raw = new(() => FogPreprocessing.Prepare(FixtureRecording(), "fog", false, new FogOptions(Emg: FogEmgForm.Raw)));

    [Fact]
    public void Window_selection_and_labels_match_reference()
    {
        var p = Raw.Value;
        Assert.Equal(PrepFixtures.Ints("fog_labels.npy"), p.Labels);
        Assert.Equal(21, p.Count);
        Assert.Equal(["normal", "freeze"], p.ClassNames);
        Assert.All(p.Subjects, s => Assert.Equal("008", s));
        var r = FixtureRecording();
        var (index, _) = FogPreprocessing.SelectWindows(r.Label, 1500, 150, 31, 0.8);
        Assert.Equal(PrepFixtures.Ints("fog_window_index.npy"), index);
    }

    [Fact]
    public void Eeg_and_raw_emg_match_reference()
    {
        var p = Raw.Value;
        Assert.Equal(("eeg", 200.0, 6, 600), (p.First.Modality, p.First.RateHz, p.First.Channels, p.First.Samples));
        Assert.Equal(("emg", 130.0, 3, 390), (p.Second.Modality, p.Second.RateHz, p.Second.Channels, p.Second.Samples));
        var pick = PrepFixtures.Ints("fog_eeg_pick.npy");
        PrepFixtures.AssertClose(PrepFixtures.Load("fog_eeg_out.npy").AsFloat32(), p.First.Select(pick).Values, "FOG EEG");
        PrepFixtures.AssertClose(PrepFixtures.Load("fog_emg_raw_out.npy").AsFloat32(), p.Second.Values, "FOG raw EMG");
    }

    static readonly Lazy<PairedWindows> Scal = new(() => FogPreprocessing.Prepare(FixtureRecording(), "fog", false));

    /// <summary>Window layout (channel, signal/diff, time 388, scale 65) strided in time and scale like the stored reference.</summary>
    static float[] Strided(SignalWindows w, int[] pick, int tStep, int sStep)
    {
        var outv = new List<float>();
        foreach (var i in pick)
        {
            var v = w.Window(i);
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++)
                    for (int t = 0; t < 388; t += tStep)
                        for (int j = 0; j < 65; j += sStep) outv.Add(v[((c * 3 + d) * 388 + t) * 65 + j]);
        }
        return outv.ToArray();
    }

    [Fact]
    public void Emg_scalograms_match_reference_in_normwear_layout()
    {
        var p = Scal.Value;
        Assert.Equal(("emg", 130.0, 3, 3 * 388 * 65), (p.Second.Modality, p.Second.RateHz, p.Second.Channels, p.Second.Samples));
        Assert.Equal(Raw.Value.Labels, p.Labels);
        Assert.Equal(Raw.Value.First.Values, p.First.Values);
        var pick = PrepFixtures.Ints("fog_scal_pick.npy");
        var exp = PrepFixtures.Load("fog_scal_out.npy");   // (2, 3, 3, 97, 17) = [:, :, :, ::4, ::4] of (…, 388, 65)
        Assert.Equal([2L, 3, 3, 97, 17], exp.Shape);
        PrepFixtures.AssertClose(exp.AsFloat32(), Strided(p.Second, pick, 4, 4), "FOG EMG scalogram");
    }

    [Fact]
    public void Scalogram_window_is_the_normwear_transform_of_the_raw_window()
    {
        var p = Scal.Value; var q = Raw.Value;
        int per = 3 * 388 * 65;
        foreach (int i in new[] { 0, q.Count - 1 })
            for (int c = 0; c < 3; c++)
            {
                // The raw window is stored as float32; the scalogram was computed from the double samples.
                var x = q.Second.Window(i).Slice(c * 390, 390).ToArray().Select(v => (double)v).ToArray();
                PrepFixtures.AssertClose(RickerCwt.NormWearScalogram(x), p.Second.Window(i).Slice(c * per, per), $"window {i} channel {c}");
            }
    }

    [Fact]
    public void Window_starts_map_exactly_across_rates()
    {
        for (int k = 0; k < 1000; k++)
        {
            Assert.Equal(60 * k, FogPreprocessing.StartAt(150 * k, 200));
            Assert.Equal(39 * k, FogPreprocessing.StartAt(150 * k, 130));
        }
        Assert.Throws<ArgumentException>(() => FogPreprocessing.Prepare(FixtureRecording(), "fog", false, new FogOptions(StepSeconds: 0.31)));
    }

    [Theory]
    [InlineData(1200, true)]   // exactly 80 % → kept
    [InlineData(1199, false)]  // 79.93 % → dropped
    [InlineData(1500, true)]
    [InlineData(750, false)]   // 50/50
    public void Majority_threshold_is_80_percent_inclusive(int ones, bool kept)
    {
        var labels = new int[1500];
        for (int i = 0; i < ones; i++) labels[i] = 1;
        var (index, cls) = FogPreprocessing.SelectWindows(labels, 1500, 150, 1, 0.8);
        Assert.Equal(kept, index.Length == 1);
        if (kept) Assert.Equal(1, cls[0]);
        // The mirror case: the majority is the normal label.
        var (index0, cls0) = FogPreprocessing.SelectWindows(labels.Select(l => 1 - l).ToArray(), 1500, 150, 1, 0.8);
        Assert.Equal(kept, index0.Length == 1);
        if (kept) Assert.Equal(0, cls0[0]);
    }

    [Fact]
    public void Window_counts_agree_at_all_three_rates_for_every_length()
    {
        // n_g = ⌊n·g/500⌋ and the steps scale exactly (150 : 60 : 39), so the resampled tracks never lose a window.
        for (int n = 0; n < 20000; n++)
        {
            int c500 = FogPreprocessing.WindowCount(n, 1500, 150);
            Assert.Equal(c500, FogPreprocessing.WindowCount((int)Math.Floor(n * 200.0 / 500), 600, 60));
            Assert.Equal(c500, FogPreprocessing.WindowCount((int)Math.Floor(n * 130.0 / 500), 390, 39));
        }
        var r = FixtureRecording();
        var p = FogPreprocessing.Prepare(r with { Label = new int[r.Length] }, "fog", false, new FogOptions(Emg: FogEmgForm.Raw));
        Assert.Equal(31, p.Count);
        Assert.All(p.Labels, l => Assert.Equal(0, l));
    }
}
