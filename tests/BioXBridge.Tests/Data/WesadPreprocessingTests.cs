using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

public class WesadPreprocessingTests
{
    [Fact]
    public void Prepared_windows_have_paper_shapes_and_paired_counts()
    {
        var p = SynWesadFixtures.SmallPrepared;
        Assert.Equal("synwesad", p.Dataset);
        Assert.True(p.Synthetic);
        Assert.Equal(["baseline", "stress", "amusement"], p.ClassNames);
        Assert.Equal(("ecg", 100.0, 1, 6000), (p.First.Modality, p.First.RateHz, p.First.Channels, p.First.Samples));
        Assert.Equal(("ppg", 125.0, 1, 7500), (p.Second.Modality, p.Second.RateHz, p.Second.Channels, p.Second.Samples));
        Assert.Equal(p.Count, p.First.Count);
        Assert.Equal(p.Count, p.Second.Count);
        Assert.Equal(p.Count, p.Subjects.Length);
        Assert.All(p.Labels, l => Assert.InRange(l, 0, 2));
        Assert.All(p.First.Values, v => Assert.True(float.IsFinite(v)));
        Assert.All(p.Second.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Each_class_segment_gives_segment_minus_60_over_5_plus_1_windows()
    {
        var p = SynWesadFixtures.SmallPrepared;
        foreach (var s in SynWesadFixtures.Small)
        {
            foreach (var (label, _, length) in SynWesadFixtures.Runs(s.Label).Where(r => r.Label != 0))
            {
                int expected = (length / 700 - 60) / 5 + 1;
                int got = Enumerable.Range(0, p.Count).Count(i => p.Subjects[i] == s.Subject && p.Labels[i] == label - 1);
                Assert.Equal(expected, got);
            }
        }
        Assert.Equal(["S2", "S3"], p.Subjects.Distinct());
        Assert.Equal(2 * 3 * 13, p.Count);
    }

    [Fact]
    public void Sessions_are_z_scored()
    {
        var s = SynWesadFixtures.Small[0];
        foreach (var x in new[] { WesadPreprocessing.PrepareEcg(s.ChestEcg), WesadPreprocessing.PreparePpg(s.WristBvp) })
        {
            double mean = x.Average(), std = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
            Assert.Equal(0, mean, 9);
            Assert.Equal(1, std, 9);
        }
        var p = SynWesadFixtures.SmallPrepared;
        for (int i = 0; i < p.Count; i += 7)
        {
            var w = p.Second.Window(i).ToArray();
            Assert.InRange(w.Average(), -0.5, 0.5);
        }
        Assert.Equal(s.ChestEcg.Length / 7, WesadPreprocessing.PrepareEcg(s.ChestEcg).Length);
        Assert.Equal(s.WristBvp.Length * 125 / 64, WesadPreprocessing.PreparePpg(s.WristBvp).Length);
    }

    [Fact]
    public void PrepareAll_concatenates_in_subject_order()
    {
        var parts = SynWesadFixtures.Small.Select(s => WesadPreprocessing.Prepare(s, "synwesad", true)).ToList();
        var all = SynWesadFixtures.SmallPrepared;
        Assert.Equal(parts.SelectMany(x => x.Labels), all.Labels);
        Assert.Equal(parts.SelectMany(x => x.Subjects), all.Subjects);
        Assert.Equal(parts.SelectMany(x => x.First.Values), all.First.Values);
        Assert.Equal(parts.SelectMany(x => x.Second.Values), all.Second.Values);
    }

    [Fact]
    public void Ecg_and_ppg_disagreeing_on_windows_throws_naming_subject_and_counts()
    {
        var s = SynWesadFixtures.Small[0];
        var shortBvp = s with { WristBvp = s.WristBvp[..^(64 * 50)] };
        var ex = Assert.Throws<InvalidDataException>(() => WesadPreprocessing.PrepareAll([shortBvp], "synwesad", true));
        Assert.Contains(s.Subject, ex.Message);
        Assert.Contains("39", ex.Message);   // the ECG count; the PPG count differs
    }

    [Fact]
    public void Mismatched_label_track_is_rejected()
    {
        var s = SynWesadFixtures.Small[0];
        Assert.Throws<InvalidDataException>(() => WesadPreprocessing.Prepare(s with { Label = s.Label[..^1] }, "synwesad", true));
    }

    [Fact]
    public void Nearest_label_carrying_keeps_step_positions()
    {
        int[] labels = [.. Enumerable.Repeat(1, 700), .. Enumerable.Repeat(2, 700)];
        var y = WesadPreprocessing.CarryLabels(labels, 250, LabelResampling.Nearest);
        Assert.Equal(Enumerable.Repeat(1, 125).Concat(Enumerable.Repeat(2, 125)), y);
    }

    [Theory]
    [InlineData(1400, 250)]
    [InlineData(997, 1013)]    // upsampling
    [InlineData(4112500, 587500)]
    [InlineData(7, 3)]
    public void Nearest_label_carrying_picks_round_half_up_source_index(int n, int m)
    {
        var labels = Enumerable.Range(0, n).ToArray();   // each label is its own index
        var y = WesadPreprocessing.CarryLabels(labels, m, LabelResampling.Nearest);
        for (int j = 0; j < m; j++) Assert.Equal((int)Math.Min(n - 1, (2L * j * n + m) / (2L * m)), y[j]);
    }

    [Fact]
    public void Fft_round_label_carrying_rings_only_near_steps()
    {
        int[] labels = [.. Enumerable.Repeat(0, 1400), .. Enumerable.Repeat(3, 2800), .. Enumerable.Repeat(0, 1400)];
        var y = WesadPreprocessing.CarryLabels(labels, 800, LabelResampling.FftRound);
        Assert.Equal(800, y.Length);
        Assert.All(y[250..350], v => Assert.Equal(3, v));
        Assert.All(y[..150], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Fft_round_option_runs_end_to_end()
    {
        var p = WesadPreprocessing.Prepare(SynWesadFixtures.Small[0], "synwesad", true, new(LabelResampling.FftRound));
        Assert.InRange(p.Count, 30, 39);
        Assert.All(p.Labels, l => Assert.InRange(l, 0, 2));
    }

    [Fact]
    public void Window_selection_keeps_only_pure_class_windows()
    {
        // 0 ×10, 1 ×20, 4 ×10, 2 ×15 with window 10, step 5.
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 20), .. Enumerable.Repeat(4, 10), .. Enumerable.Repeat(2, 15)];
        var (starts, classes) = WesadPreprocessing.SelectWindows(labels, 10, 5);
        Assert.Equal([10, 15, 20, 40, 45], starts);
        Assert.Equal([0, 0, 0, 1, 1], classes);
    }
}
