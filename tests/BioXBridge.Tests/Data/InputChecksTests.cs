using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>Bad windows are refused before training, each with one message naming where and what was expected.</summary>
public class InputChecksTests
{
    private const int Channels = 2, Samples = 16;

    /// <summary>Six windows per split, classes 0 1 2 0 1 2, a noisy sine per channel: what the checks accept.</summary>
    private static PairedWindows Part(string dataset = "wesad", double ecgHz = WesadPreprocessing.EcgHz)
    {
        var rng = new Random(7);
        float[] Signal(int n) => Enumerable.Range(0, n).Select(i => (float)(Math.Sin(i * 0.7) + 0.1 * rng.NextDouble())).ToArray();
        var labels = new[] { 0, 1, 2, 0, 1, 2 };
        return new PairedWindows(dataset, false, ["baseline", "stress", "amusement"],
            new SignalWindows("ecg", ecgHz, Channels, Samples, Signal(6 * Channels * Samples)),
            new SignalWindows("ppg", WesadPreprocessing.PpgHz, 1, Samples, Signal(6 * Samples)),
            labels, ["S2", "S2", "S2", "S3", "S3", "S3"]);
    }

    private static SplitData Data(PairedWindows? val = null, PairedWindows? train = null) => new(train ?? Part(), val ?? Part(), Part(), Part());

    private static string Refused(SplitData data) => Assert.Throws<InvalidDataException>(() => InputChecks.Check(data, "prepared.json")).Message;

    [Fact]
    public void Clean_windows_pass() => InputChecks.Check(Data(), "prepared.json"); // every twin passes too: each run loads through it

    [Fact]
    public void The_smoke_runs_few_windows_pass_without_every_class()
    {
        foreach (var name in BioXBridge.Experiments.DirectionFiles.Names().Where(n => !n.StartsWith("syn", StringComparison.Ordinal)))
            Assert.All(BioXBridge.Experiments.DirectionData.Load(BioXBridge.Experiments.DirectionFiles.Load(name).Smoke()).Named(),
                       s => Assert.InRange(s.Data.Count, 1, 4)); // truncated to 4 windows per split, and checked
    }

    [Fact]
    public void A_nan_or_infinite_sample_names_the_split_modality_and_first_window()
    {
        var val = Part();
        val.First.Values[3 * Channels * Samples + 5] = float.NaN;
        val.First.Values[5 * Channels * Samples] = float.PositiveInfinity;
        var message = Refused(Data(val));
        Assert.Equal("prepared.json: split 'val', ecg: 2 of 6 windows hold NaN or infinite samples (first: window 3); expected finite values — drop or repair them when preparing", message);
    }

    [Fact]
    public void Flat_and_clipped_windows_are_refused()
    {
        var val = Part();
        Array.Fill(val.Second.Values, 0.5f, 2 * Samples, Samples);
        Assert.Contains("split 'val', ppg: 1 of 6 windows are flat, every sample equal (first: window 2)", Refused(Data(val)));

        var train = Part();
        for (int i = 0; i < Samples / 2; i++) train.Second.Values[4 * Samples + i] = i % 2 == 0 ? 9f : -9f; // half the samples at the rails
        Assert.Contains("split 'train', ppg: 1 of 6 windows are clipped", Refused(Data(train: train)));
    }

    [Fact]
    public void A_split_without_a_class_or_with_a_stray_label_is_refused()
    {
        var val = Part() with { Labels = [0, 1, 1, 0, 1, 0] };
        Assert.StartsWith("prepared.json: split 'val': no window of class 'amusement'; expected every class", Refused(Data(val)));
        var stray = Part() with { Labels = [0, 1, 2, 0, 3, 2] };
        Assert.Equal("prepared.json: split 'val': label 3 is outside 0..2 (baseline, stress, amusement)", Refused(Data(stray)));
        var pairOnly = new SplitData(Part(), Part(), Part() with { Labels = [0, 0, 0, 0, 0, 0] }, Part());
        InputChecks.Check(pairOnly, "prepared.json"); // the paired split's labels are never used
    }

    [Fact]
    public void Labels_that_disagree_with_the_signal_another_rate_or_other_channels_are_refused()
    {
        var shortSignal = Part() with { Labels = [0, 1, 2, 0, 1, 2, 0], Subjects = ["S2", "S2", "S2", "S3", "S3", "S3", "S3"] };
        Assert.Contains("labels and signal disagree in length", Refused(Data(shortSignal)));
        Assert.Equal("prepared.json: split 'train', ecg: sampled at 128 Hz; wesad is prepared at 100 Hz — prepare it with 'bioxbridge data prepare'",
                     Refused(new SplitData(Part(ecgHz: 128), Part(ecgHz: 128), Part(ecgHz: 128), Part(ecgHz: 128))));
        var oneChannel = Part() with { First = new SignalWindows("ecg", WesadPreprocessing.EcgHz, 1, 2 * Samples, Part().First.Values) };
        Assert.Contains("split 'val', ecg: windows of 1 channel(s) × 32 samples at 100 Hz; the train split has 2 × 16 at 100 Hz", Refused(Data(oneChannel)));
    }
}
