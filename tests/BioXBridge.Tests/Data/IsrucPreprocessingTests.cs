using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>Reads the scipy reference written by tools/golden/prep_reference.py (Fixtures/prep/*.npy).</summary>
internal static class PrepFixtures
{
    public const double Tolerance = 1e-5;

    public static Npy.Array Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "prep", name);
        Assert.True(File.Exists(path), $"missing fixture {path}; regenerate with /usr/bin/python3 tools/golden/prep_reference.py");
        return Npy.Read(path);
    }

    public static double[] Doubles(string name) => Load(name).AsFloat32().Select(v => (double)v).ToArray();
    public static int[] Ints(string name) => Load(name).AsInt64().Select(v => (int)v).ToArray();

    /// <summary>max|Δ| / max|ref| over the array; returns it so tests can report the parity number.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            maxDiff = Math.Max(maxDiff, Math.Abs((double)expected[i] - actual[i]));
        }
        double rel = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        Assert.True(rel < Tolerance, $"{what}: relative error {rel:E3} (max|Δ| {maxDiff:E3}, max|ref| {maxRef:E3})");
        return rel;
    }
}

public class IsrucPreprocessingTests
{
    static IsrucSession FixtureSession()
    {
        var eeg = PrepFixtures.Load("isruc_eeg_in.npy");   // (epochs, 6, 6000)
        var ecg = PrepFixtures.Load("isruc_ecg_in.npy");   // (epochs, 6000)
        var stages = PrepFixtures.Ints("isruc_stages.npy").Select(s => (SleepStage)s).ToArray();
        int epochs = (int)eeg.Shape[0], n = (int)eeg.Shape[2];
        var ev = eeg.AsFloat32(); var cv = ecg.AsFloat32();
        var channels = new Dictionary<string, double[][]>();
        for (int c = 0; c < 6; c++)
            channels[IsrucSession.EegChannels[c]] = Enumerable.Range(0, epochs)
                .Select(e => ev.AsSpan((e * 6 + c) * n, n).ToArray().Select(v => (double)v).ToArray()).ToArray();
        channels[IsrucSession.EcgChannel] = Enumerable.Range(0, epochs)
            .Select(e => cv.AsSpan(e * n, n).ToArray().Select(v => (double)v).ToArray()).ToArray();
        return new IsrucSession("7", channels, stages);
    }

    [Fact]
    public void Matches_scipy_reference_on_three_epochs()
    {
        var s = FixtureSession();
        var p = IsrucPreprocessing.Prepare(s, "isruc", synthetic: false);
        Assert.Equal(3, p.Count);
        Assert.Equal(("eeg", 200.0, 6, 6000), (p.First.Modality, p.First.RateHz, p.First.Channels, p.First.Samples));
        Assert.Equal(("ecg", 100.0, 1, 3000), (p.Second.Modality, p.Second.RateHz, p.Second.Channels, p.Second.Samples));
        Assert.Equal(PrepFixtures.Ints("isruc_labels_binary.npy"), p.Labels);
        Assert.Equal(["wake", "sleep"], p.ClassNames);
        Assert.Equal(["7", "7", "7"], p.Subjects);
        // EEG is the raw input, untouched (float32 in, float32 out: exact).
        Assert.Equal(PrepFixtures.Load("isruc_eeg_in.npy").AsFloat32(), p.First.Values);
        PrepFixtures.AssertClose(PrepFixtures.Load("isruc_ecg_out.npy").AsFloat32(), p.Second.Values, "ISRUC ECG");
        for (int e = 0; e < 3; e++)
            PrepFixtures.AssertClose(PrepFixtures.Load("isruc_ecg_out.npy").AsFloat32().AsSpan(e * 3000, 3000), p.Second.Window(e), $"ISRUC ECG epoch {e}");
    }

    [Fact]
    public void Five_class_option_maps_W_N1_N2_N3_REM_to_0_to_4()
    {
        var p = IsrucPreprocessing.Prepare(FixtureSession(), "isruc", false, new IsrucOptions(FiveClass: true));
        Assert.Equal(PrepFixtures.Ints("isruc_labels_five.npy"), p.Labels);
        Assert.Equal([0, 2, 4], p.Labels);
        Assert.Equal(["W", "N1", "N2", "N3", "REM"], p.ClassNames);
    }

    [Fact]
    public void Label_maps_cover_every_stage()
    {
        SleepStage[] all = [SleepStage.W, SleepStage.N1, SleepStage.N2, SleepStage.N3, SleepStage.REM];
        Assert.Equal([0, 1, 1, 1, 1], IsrucLabels.Binary(all));
        Assert.Equal([0, 1, 2, 3, 4], IsrucLabels.FiveClass(all));
    }

    [Fact]
    public void Constant_epoch_z_scores_to_zeros_and_others_to_unit_variance()
    {
        Assert.All(IsrucPreprocessing.PrepareEcgEpoch(Enumerable.Repeat(0.7, 6000).ToArray()), v => Assert.Equal(0.0, v));
        var y = IsrucPreprocessing.PrepareEcgEpoch(Enumerable.Range(0, 6000).Select(i => Math.Sin(2 * Math.PI * 1.2 * i / 200)).ToArray());
        Assert.Equal(3000, y.Length);
        Assert.Equal(0, y.Average(), 9);
        Assert.Equal(1, Math.Sqrt(y.Select(v => v * v).Average()), 9);
    }

    [Fact]
    public void Rejects_a_session_without_the_ecg_channel()
    {
        var s = FixtureSession();
        var ch = s.Channels.Where(kv => kv.Key != "X2").ToDictionary();
        var e = Assert.Throws<InvalidDataException>(() => IsrucPreprocessing.Prepare(s with { Channels = ch }, "isruc", false));
        Assert.Contains("X2", e.Message);
    }
}
