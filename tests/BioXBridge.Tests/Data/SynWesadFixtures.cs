using BioXBridge.Data;

namespace BioXBridge.Tests.Data;

/// <summary>SynWESAD sets shared by the data tests, generated once per test run (Lazy is thread-safe across classes).</summary>
internal static class SynWesadFixtures
{
    /// <summary>Two subjects, 2 min per class: 13 windows per class segment.</summary>
    public static readonly SynWesadConfig SmallConfig = new(Subjects: 2, MinutesPerClass: 2, Seed: 7);
    static readonly Lazy<IReadOnlyList<WesadSession>> small = new(() => SynWesad.Generate(SmallConfig));
    static readonly Lazy<PairedWindows> smallPrepared = new(() => WesadPreprocessing.PrepareAll(Small, "synwesad", true));

    /// <summary>Default class effects and subject count; 2 min per class instead of 4 keeps the test run short.</summary>
    static readonly Lazy<PairedWindows> normal = new(() =>
        WesadPreprocessing.PrepareAll(SynWesad.Generate(new SynWesadConfig(MinutesPerClass: 2)), "synwesad", true));

    /// <summary>Negative control, 24 short subjects: enough segments for the PPG-morphology estimate to be stable.</summary>
    static readonly Lazy<PairedWindows> negative = new(() =>
        WesadPreprocessing.PrepareAll(SynWesad.Generate(new SynWesadConfig(Subjects: 24, MinutesPerClass: 1.5, NegativeControl: true)), "synwesad", true));

    /// <summary>The reverse control (class only in ECG morphology, for ECG→PPG), sized like the first.</summary>
    static readonly Lazy<PairedWindows> ecgOnly = new(() =>
        WesadPreprocessing.PrepareAll(SynWesad.Generate(new SynWesadConfig(Subjects: 24, MinutesPerClass: 1.5, NegativeControl: true, ClassOnlyIn: "ecg")), "synwesad", true));

    public static IReadOnlyList<WesadSession> Small => small.Value;
    public static PairedWindows EcgOnlyControl => ecgOnly.Value;
    public static PairedWindows SmallPrepared => smallPrepared.Value;
    public static PairedWindows Normal => normal.Value;
    public static PairedWindows NegativeControl => negative.Value;

    /// <summary>Maximal runs of equal labels: (label, start sample, length).</summary>
    public static List<(int Label, int Start, int Length)> Runs(int[] labels)
    {
        var runs = new List<(int, int, int)>();
        for (int i = 0; i < labels.Length;)
        {
            int j = i;
            while (j < labels.Length && labels[j] == labels[i]) j++;
            runs.Add((labels[i], i, j - i));
            i = j;
        }
        return runs;
    }
}
