using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Data;

/// <summary>Choices that change prepared windows: the subject-split seed, label resampling, and for synthetic sets their seed.</summary>
public sealed record PrepareOptions(int SplitSeed = 0, LabelResampling Labels = LabelResampling.Nearest, int DataSeed = 0,
                                    bool NegativeControl = false);

/// <summary>
/// Raw dataset → the paper's windows, split by subject, plus a JSON description of every preprocessing parameter
/// (what <see cref="PreparedData"/> stores in <c>prepared.json</c>). Real and synthetic datasets share the pipeline.
/// </summary>
public static class DatasetPreparation
{
    public static readonly string[] Datasets = ["wesad", "synwesad"];

    public static (SplitData Data, JsonObject Preprocessing) Prepare(string dataset, string? raw, PrepareOptions o)
    {
        switch (dataset)
        {
            case "wesad":
                if (raw is null) throw new ArgumentException("wesad: --raw must point at the WESAD folder holding SX/SX.pkl");
                return Wesad(WesadReader.ReadAll(raw), "wesad", synthetic: false, o);
            case "synwesad":
                return Wesad(SynWesad.Generate(new SynWesadConfig(Seed: o.DataSeed, NegativeControl: o.NegativeControl)), "synwesad", synthetic: true, o);
            default:
                throw new ArgumentException($"dataset '{dataset}': expected one of {string.Join(", ", Datasets)} (isruc-s1, synisruc, fog and synfog are not wired into prepare yet)");
        }
    }

    private static (SplitData, JsonObject) Wesad(IReadOnlyList<WesadSession> sessions, string name, bool synthetic, PrepareOptions o)
    {
        if (sessions.Count == 0) throw new InvalidDataException($"{name}: no sessions found");
        var windows = WesadPreprocessing.PrepareAll(sessions, name, synthetic, new WesadPreprocessingOptions(Labels: o.Labels));
        var parts = SubjectSplit.Wesad;
        if (sessions.Count != parts.Sum(p => p.Count))
            throw new InvalidDataException($"{name}: the paper's split needs {parts.Sum(p => p.Count)} subjects (5/2/5/3), found {sessions.Count}");
        var split = SubjectSplit.Assign(windows.Subjects.Distinct(), o.SplitSeed, parts);
        var preprocessing = JsonSerializer.SerializeToNode(new
        {
            ecg = new { source_hz = WesadSession.EcgHz, steps = new[] { "linear resample to 500 Hz (endpoints aligned)", "FIR band-pass 0.05–47 Hz, 151 taps (firwin, Hamming), filtfilt (odd padding, padlen 453)", "linear resample to 100 Hz", "z-score (ddof 0) over the session" }, window = new[] { 1, 6000 } },
            ppg = new { source_hz = WesadSession.BvpHz, steps = new[] { "FFT resample to 125 Hz (floor(n·125/64) samples)", "Chebyshev I band-pass order 4, 0.5 dB, 0.5–12 Hz, filtfilt", "z-score (ddof 0) over the session" }, window = new[] { 1, 7500 } },
            windows = new { length_s = 60, step_s = 5, keep = "all labels equal and in {1,2,3}", map = "1→0 baseline, 2→1 stress, 3→2 amusement" },
            labels = o.Labels.ToString(),
            split = new { rule = "sorted subject names, seeded Fisher–Yates (SubjectSplit.Assign)", seed = o.SplitSeed, counts = parts.ToDictionary(p => p.Split, p => p.Count) },
            synthetic_generator = synthetic ? new { name = "SynWesad", version = SynWesad.Version(o.NegativeControl), seed = o.DataSeed, negative_control = o.NegativeControl } : null,
        })!.AsObject();
        return (SplitData.FromAssignment(windows, split), preprocessing);
    }
}
