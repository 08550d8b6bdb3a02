using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Data;

/// <summary>Choices that change prepared windows: the split protocol and its seed (null: the protocol's default, 0
/// subject-wise, <see cref="ReleaseSplit.Seed"/> for the release's), or an explicit split manifest, which replaces the
/// seeded shuffle; label resampling, which ISRUC files are read, and for synthetic sets their seed, mode and size
/// (null sizes keep each generator's default; <see cref="Size"/>).</summary>
public sealed record PrepareOptions(int? SplitSeed = null, LabelResampling Labels = LabelResampling.Nearest, int DataSeed = 0,
                                    bool NegativeControl = false, IsrucSource IsrucSource = IsrucSource.Mat,
                                    string? SplitManifest = null, FogEmgForm FogEmg = FogEmgForm.Raw, SyntheticSize? Size = null,
                                    SplitProtocol Protocol = SplitProtocol.Subjectwise)
{
    /// <summary>The seed the split's shuffle uses.</summary>
    public int Seed => SplitSeed ?? (Protocol == SplitProtocol.Release ? ReleaseSplit.Seed : 0);
}

/// <summary>
/// How much a synthetic generator renders: subjects (patients), and per generator the length of each recording
/// (SynWESAD minutes per class, SynISRUC 30-s epochs, SynFOG minutes per task) and SynFOG's window step. Null keeps the
/// generator's default. <see cref="ClassOnlyIn"/> names the modality a negative control keeps the class in.
/// </summary>
public sealed record SyntheticSize(int? Subjects = null, double? MinutesPerClass = null, int? EpochsPerSubject = null,
                                   double? MinutesPerTask = null, double? WindowStepSeconds = null, string? ClassOnlyIn = null);

/// <summary>
/// Raw dataset → the paper's windows, split by subject, plus a JSON description of every preprocessing parameter
/// (what <see cref="PreparedData"/> stores in <c>prepared.json</c>). Real and synthetic datasets share the pipeline.
/// </summary>
public static class DatasetPreparation
{
    public static readonly string[] Datasets = ["wesad", "synwesad", "isruc-s1", "synisruc", "fog", "synfog"];

    public static (SplitData Data, JsonObject Preprocessing) Prepare(string dataset, string? raw, PrepareOptions o)
    {
        if (o.Protocol == SplitProtocol.Release) return ReleaseProtocol.Prepare(dataset, raw, o);
        var windows = Windows(dataset, raw, o);
        return dataset switch
        {
            "wesad" or "synwesad" => Wesad(windows, o),
            "isruc-s1" or "synisruc" => Isruc(windows, o),
            _ => Fog(windows, o),
        };
    }

    /// <summary>Every window of a dataset in recording order, before the subject split (synthetic sets: rendered now).</summary>
    public static PairedWindows Windows(string dataset, string? raw, PrepareOptions o) => dataset switch
    {
        "wesad" => WesadPreprocessing.PrepareAll(NonEmpty(WesadReader.ReadAll(raw ?? throw new ArgumentException("wesad: needs the raw data folder (the WESAD folder holding SX/SX.pkl)")), dataset),
                                                 dataset, false, new WesadPreprocessingOptions(Labels: o.Labels)),
        "synwesad" => WesadPreprocessing.PrepareAll(SynWesad.Generate(SynWesadOf(o)), dataset, true, new WesadPreprocessingOptions(Labels: o.Labels)),
        "isruc-s1" => IsrucPreprocessing.PrepareAll(IsrucReader.ReadAll(Raw(dataset, raw, "the folder holding ExtractedChannels/ (or RawData/) and the scorer files"), o.IsrucSource), dataset, false),
        "synisruc" => IsrucPreprocessing.PrepareAll(SynIsruc.Generate(SynIsrucOf(o)), dataset, true),
        "fog" => FogPreprocessing.PrepareAll(FogReader.Discover(Raw(dataset, raw, "the folder holding 'Filtered Data/'")).Select(FogReader.Read).ToList(), dataset, false, FogOf(o)),
        "synfog" => FogPreprocessing.PrepareAll(SynFog.Generate(SynFogOf(o)), dataset, true, FogOf(o)),
        _ => throw new ArgumentException($"dataset '{dataset}': expected one of {string.Join(", ", Datasets)}"),
    };

    private static IReadOnlyList<T> NonEmpty<T>(IReadOnlyList<T> sessions, string name) =>
        sessions.Count > 0 ? sessions : throw new InvalidDataException($"{name}: no sessions found");

    // raw EMG windows by default: a scalogram is 0.9 MB per window, so NormWear's input is usually computed at model input
    // (the zoo's input transform); FogEmg = Scalogram writes it out for readers who want NormWear's exact input on disk
    internal static FogOptions FogOf(PrepareOptions o) =>
        new FogOptions(Emg: o.FogEmg, Labels: o.Labels) is var f && o.Size?.WindowStepSeconds is double step ? f with { StepSeconds = step } : f;

    public static SynWesadConfig SynWesadOf(PrepareOptions o)
    {
        var d = new SynWesadConfig();
        return new(o.Size?.Subjects ?? d.Subjects, o.Size?.MinutesPerClass ?? d.MinutesPerClass, o.DataSeed, o.NegativeControl, o.Size?.ClassOnlyIn);
    }

    public static SynIsrucConfig SynIsrucOf(PrepareOptions o)
    {
        var d = new SynIsrucConfig();
        return new(o.Size?.Subjects ?? d.Subjects, o.Size?.EpochsPerSubject ?? d.Epochs, o.DataSeed, o.NegativeControl, o.Size?.ClassOnlyIn);
    }

    public static SynFogConfig SynFogOf(PrepareOptions o)
    {
        var d = new SynFogConfig();
        return new(o.Size?.Subjects ?? d.Patients, o.Size?.MinutesPerTask ?? d.MinutesPerTask, o.DataSeed, o.NegativeControl, o.Size?.ClassOnlyIn);
    }

    internal static string Raw(string dataset, string? raw, string what) =>
        raw ?? throw new ArgumentException($"{dataset}: needs the raw data folder ({what})");

    private static (SplitData, JsonObject) Isruc(PairedWindows windows, PrepareOptions o) =>
        Split(windows, windows.Dataset, SubjectSplit.Isruc, o, IsrucSteps(windows.Synthetic, o));

    internal static object IsrucSteps(bool synthetic, PrepareOptions o) => new
        {
            source = synthetic ? null : o.IsrucSource == IsrucSource.Mat
                ? "mat: ExtractedChannels/subject<n>.mat, one (epochs, 6000) variable per derivation"
                : "rec: RawData/<n>/<n>.rec (EDF); signals matched by label (trimmed, case-insensitive, '-' = '_', M1/M2 = A1/A2); " +
                  "each must be 200 Hz; epochs = consecutive 30-s blocks from the start, the first len(labels) used",
            eeg = new { channels = IsrucSession.EegChannels, rate_hz = IsrucSession.Hz, steps = new[] { "raw µV per 30-s epoch (LaBraM divides by 100 at input)" }, window = new[] { 6, 6000 } },
            ecg = new { channel = IsrucSession.EcgChannel, steps = new[] { "per epoch: linear resample 200→500 Hz", "FIR band-pass 0.05–47 Hz, 151 taps, filtfilt", "linear resample to 100 Hz", "z-score (ddof 0) per epoch" }, window = new[] { 1, 3000 } },
            labels = "scorer 1, last 30 lines dropped; W→0 wake, N1/N2/N3/REM→1 sleep",
            synthetic_generator = synthetic ? new { name = "SynIsruc", version = SynIsruc.Version(o.NegativeControl, o.Size?.ClassOnlyIn), seed = o.DataSeed, negative_control = o.NegativeControl, config = SynIsrucOf(o) } : null,
        };

    private static (SplitData, JsonObject) Fog(PairedWindows windows, PrepareOptions o) =>
        Split(windows, windows.Dataset, SubjectSplit.Isruc, o,
              FogSteps(windows.Synthetic, o, "subject-wise over patients (the paper's patient-008 window split leaks: windows overlap 90 %)"));

    internal static object FogSteps(bool synthetic, PrepareOptions o, string split)
    {
        var fog = FogOf(o);
        return new
        {
            eeg = new { steps = new[] { "file columns 4–7, 10, 11 (six electrodes)", "linear resample 500→200 Hz", "no z-score (LaBraM divides by 100)" }, window = new[] { 6, 600 } },
            emg = new { steps = new[] { "per-patient column map (the release's, FogReader.EmgColumns)", "linear resample 500→130 Hz", "z-score per channel over the file" }, window = o.FogEmg == FogEmgForm.Raw ? new[] { 3, 390 } : new[] { 3, 3, 388, 65 },
                          normwear_input = o.FogEmg == FogEmgForm.Raw ? "Ricker CWT scalogram (3, 388, 65) per channel, computed at model input"
                                                                      : "written as NormWear's input: Ricker CWT scalogram of x[2:], diff(x)[1:], diff(x, 2) at widths 0.1…64.1, (time, scale)" },
            windows = new { length_s = fog.WindowSeconds, step_s = fog.StepSeconds, keep = "majority label covers ≥ 80 % of the window" },
            labels = fog.Labels == LabelResampling.FftRound
                ? "FftRound: round(FFT resample) of the 500-Hz labels to 200 Hz (EEG) and 130 Hz (EMG); each modality windowed on its own track, kept windows paired in order"
                : "Nearest: windows chosen once on the 500-Hz label track",
            split,
            synthetic_generator = synthetic ? new { name = "SynFog", version = SynFog.Version(o.NegativeControl, o.Size?.ClassOnlyIn), seed = o.DataSeed, negative_control = o.NegativeControl, config = SynFogOf(o) } : null,
        };
    }

    /// <summary>
    /// Assigns subjects to train / val / pair / test: from the split manifest if one is given, else by the seeded shuffle
    /// in <paramref name="ratio"/>, scaled to the subject count unless <paramref name="exact"/> (WESAD's 5/2/5/3 is a
    /// count, not a ratio). The rule goes into the preprocessing record under <paramref name="key"/>.
    /// </summary>
    private static (SplitData, JsonObject) Split(PairedWindows windows, string name, (string Split, int Count)[] ratio, PrepareOptions o,
                                                 object steps, string key = "split_rule", bool exact = false)
    {
        var subjects = windows.Subjects.Distinct().ToArray();
        var preprocessing = JsonSerializer.SerializeToNode(steps)!.AsObject();
        if (o.SplitManifest is { } manifest)
        {
            var assigned = SplitManifest.Read(manifest, subjects);
            preprocessing[key] = SplitManifest.Describe(manifest, assigned);
            return (SplitData.FromAssignment(windows, assigned), preprocessing);
        }
        int needed = ratio.Sum(p => p.Count);
        if (exact && subjects.Length != needed)
            throw new InvalidDataException($"{name}: the paper's split needs {needed} subjects ({string.Join("/", ratio.Select(p => p.Count))}), " +
                                           $"found {subjects.Length}; pass a split manifest (--split) to split fewer");
        var parts = exact ? ratio : SubjectSplit.Scale(subjects.Length, ratio);
        preprocessing[key] = JsonSerializer.SerializeToNode(new
        {
            rule = "sorted subject names, seeded Fisher–Yates (SubjectSplit.Assign)", seed = o.Seed,
            ratio = ratio.ToDictionary(p => p.Split, p => p.Count), counts = parts.ToDictionary(p => p.Split, p => p.Count),
        });
        return (SplitData.FromAssignment(windows, SubjectSplit.Assign(subjects, o.Seed, parts)), preprocessing);
    }

    private static (SplitData, JsonObject) Wesad(PairedWindows windows, PrepareOptions o)
    {
        bool synthetic = windows.Synthetic;
        return Split(windows, windows.Dataset, SubjectSplit.Wesad, o, new
        {
            ecg = new { source_hz = WesadSession.EcgHz, steps = new[] { "linear resample to 500 Hz (endpoints aligned)", "FIR band-pass 0.05–47 Hz, 151 taps (firwin, Hamming), filtfilt (odd padding, padlen 453)", "linear resample to 100 Hz", "z-score (ddof 0) over the session" }, window = new[] { 1, 6000 } },
            ppg = new { source_hz = WesadSession.BvpHz, steps = new[] { "FFT resample to 125 Hz (floor(n·125/64) samples)", "Chebyshev I band-pass order 4, 0.5 dB, 0.5–12 Hz, filtfilt", "z-score (ddof 0) over the session" }, window = new[] { 1, 7500 } },
            windows = new { length_s = 60, step_s = 5, keep = "all labels equal and in {1,2,3}", map = "1→0 baseline, 2→1 stress, 3→2 amusement" },
            labels = o.Labels.ToString(),
            synthetic_generator = synthetic ? new { name = "SynWesad", version = SynWesad.Version(o.NegativeControl, o.Size?.ClassOnlyIn), seed = o.DataSeed, negative_control = o.NegativeControl, config = SynWesadOf(o) } : null,
        }, key: "split", exact: !synthetic);
    }
}
