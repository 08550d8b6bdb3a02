using BioXBridge.Signals;

namespace BioXBridge.Data;

/// <summary>How FOG EMG windows are stored.</summary>
public enum FogEmgForm
{
    /// <summary>NormWear's input: per channel the Ricker scalograms of the signal, its 1st and 2nd difference,
    /// (3, 388, 65) — <c>SignalWindows("emg", 130, 3, 3·388·65)</c> with that <see cref="SignalWindows.SampleShape"/>.</summary>
    Scalogram,
    /// <summary>The z-scored 130-Hz samples themselves, (3, 390) per window, for models that take raw EMG.</summary>
    Raw,
}

/// <summary>FOG options; the defaults are the paper's (3-s windows every 0.3 s, kept at ≥ 80 % majority).
/// <see cref="Labels"/>: <see cref="LabelResampling.Nearest"/> picks windows once on the 500-Hz label track;
/// <see cref="LabelResampling.FftRound"/> does what the release does (per-modality FFT-carried tracks, see
/// <see cref="FogPreprocessing.Prepare"/>).</summary>
public sealed record FogOptions(FogEmgForm Emg = FogEmgForm.Scalogram, double WindowSeconds = 3, double StepSeconds = 0.3,
    double MinMajority = 0.8, LabelResampling Labels = LabelResampling.Nearest);

/// <summary>
/// The paper's FOG pipeline (the release's <c>make_FOG.py</c>; docs/fidelity.md) for one task recording:
/// <list type="bullet">
/// <item>EEG (6 channels): 500 → 200 Hz linear (release convention, <see cref="Resampling.Linear"/>) over the whole
/// file, no normalisation (LaBraM divides by 100) → (6, 600) per window;</item>
/// <item>EMG (3 channels): 500 → 130 Hz linear over the whole file, then z-score per channel over the whole file;
/// per window 390 samples → <see cref="RickerCwt.NormWearScalogram"/> per channel (upstream <c>spec_cwt</c>: x[2:],
/// diff(x)[1:], diff(x, 2) at widths 0.1…64.1) → (3, 3, 388, 65), or the raw (3, 390) with <see cref="FogEmgForm.Raw"/>;</item>
/// <item>labels (default, <see cref="LabelResampling.Nearest"/>) from the 500-Hz label track: window k covers labels [k·150, k·150 + 1500); it is kept when its
/// majority label covers ≥ 80 % (count·… ≥ ⌈0.8·1500⌉ = 1200 samples; 1199 is dropped), and takes that label
/// (0 normal, 1 freeze).</item>
/// </list>
/// <para><b>Window positions.</b> Every track is cut at the same window index k with its own whole-sample step:
/// start = k·150 at 500 Hz, k·60 at 200 Hz, k·39 at 130 Hz (window 1500 / 600 / 390), i.e. start_g = start_500·g/500
/// exactly, because 0.3 s and 3 s are whole numbers of samples at all three rates (the options are checked for that).
/// This is what windowing each resampled track with <c>range(0, n − w + 1, step)</c> does, as the release does for every
/// modality. The number of windows is the smallest of the three tracks' counts (n_g = ⌊n·g/500⌋ can lose the last
/// window at a lower rate). The release's endpoint-aligned interpolation places target sample t at source position
/// t·(n − 1)/(n_g − 1) rather than t·500/g; the offset grows towards the end of the file but stays below 500/g + 1
/// source samples (&lt; 8 ms at 130 Hz) however long the file is, so EEG, EMG and label windows stay aligned.</para>
/// <para><b>EMG layout.</b> <see cref="SignalWindows"/> is channels × samples, so a scalogram window is stored as
/// Channels = 3 (EMG channels), Samples = 3·388·65 = 75 660, each channel's block in C order (signal/1st diff/2nd diff,
/// time 388, scale 65): <c>Values</c> reshaped to (N, 3, 3, 388, 65) is exactly NormWear's input tensor
/// (<c>NormWearInput.Scalograms</c>). <see cref="SignalWindows.RateHz"/> stays 130 (the time axis' rate).</para>
/// <see cref="PairedWindows.First"/> is EEG, <see cref="PairedWindows.Second"/> is EMG; the subject of every window is
/// the patient ("008"), so subject-wise splits group a patient's sessions and tasks.
/// </summary>
public static class FogPreprocessing
{
    public const double EegHz = 200, EmgHz = 130;
    public static IReadOnlyList<string> ClassNames { get; } = ["normal", "freeze"];
    public static int ScalogramLength(int windowSamples) => windowSamples - 2;
    public static int Scales => RickerCwt.NormWearWidths.Length;

    /// <summary>EEG channels linearly resampled 500 → 200 Hz over the whole recording (no normalisation).</summary>
    public static double[][] ResampleEeg(FogRecording r) => r.Eeg.Select(c => Resampling.Linear(c, FogRecording.Hz, EegHz)).ToArray();

    /// <summary>EMG channels linearly resampled 500 → 130 Hz, each z-scored over the whole recording.</summary>
    public static double[][] PrepareEmg(FogRecording r) =>
        r.Emg.Select(c => Normalization.ZScore(Resampling.Linear(c, FogRecording.Hz, EmgHz))).ToArray();

    /// <summary>
    /// Window k covers labels[k·step .. k·step + window) for k &lt; <paramref name="count"/>; it is kept when its most
    /// frequent label occurs in at least ⌈minMajority·window⌉ samples (ties go to the smaller label, which only matters
    /// below 50 %), and is labelled with it. Returns the kept k and labels.
    /// </summary>
    public static (int[] Index, int[] Labels) SelectWindows(ReadOnlySpan<int> labels, int window, int step, int count, double minMajority)
    {
        if (window < 1 || step < 1) throw new ArgumentException($"window ({window}) and step ({step}) must be positive");
        if (!(minMajority > 0 && minMajority <= 1)) throw new ArgumentException($"minMajority must lie in (0, 1], not {minMajority}");
        int need = (int)Math.Ceiling(minMajority * window - 1e-9);
        var index = new List<int>(); var classes = new List<int>();
        var counts = new Dictionary<int, int>();
        for (int k = 0; k < count; k++)
        {
            if ((long)k * step + window > labels.Length) break;
            counts.Clear();
            foreach (var l in labels.Slice(k * step, window)) counts[l] = counts.GetValueOrDefault(l) + 1;
            var (label, c) = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Select(p => (p.Key, p.Value)).First();
            if (c < need) continue;
            index.Add(k); classes.Add(label);
        }
        return (index.ToArray(), classes.ToArray());
    }

    /// <summary>Windows that fit in a track of <paramref name="n"/> samples: (n − w)/s + 1, or 0.</summary>
    public static int WindowCount(int n, int window, int step) => n < window ? 0 : (n - window) / step + 1;

    /// <summary>Sample index at <paramref name="hz"/> of a window that starts at 500-Hz sample <paramref name="start500"/>
    /// (whole by construction: start500 is a multiple of the 500-Hz step).</summary>
    public static int StartAt(int start500, double hz) => Samples(start500 / FogRecording.Hz, hz);

    /// <summary>One recording, windowed and paired: EEG (6, 600) and EMG as <see cref="FogOptions.Emg"/> says.</summary>
    public static PairedWindows Prepare(FogRecording r, string dataset, bool synthetic, FogOptions? o = null)
    {
        o ??= new FogOptions();
        string who = $"FOG {r.Patient}{(r.Session.Length > 0 ? "/" + r.Session : "")}/{r.Task}";
        if (r.Eeg.Any(c => c.Length != r.Length) || r.Emg.Any(c => c.Length != r.Length))
            throw new InvalidDataException($"{who}: every channel must hold {r.Length} samples (one per label)");
        int w500 = Samples(o.WindowSeconds, FogRecording.Hz), s500 = Samples(o.StepSeconds, FogRecording.Hz);
        int w200 = Samples(o.WindowSeconds, EegHz), s200 = Samples(o.StepSeconds, EegHz);
        int w130 = Samples(o.WindowSeconds, EmgHz), s130 = Samples(o.StepSeconds, EmgHz);

        var eeg = ResampleEeg(r);
        var emg = PrepareEmg(r);
        int n200 = eeg.Length > 0 ? eeg[0].Length : (int)Math.Floor(r.Length * EegHz / FogRecording.Hz);
        int n130 = emg.Length > 0 ? emg[0].Length : (int)Math.Floor(r.Length * EmgHz / FogRecording.Hz);
        int[] eegAt, emgAt, labels;
        if (o.Labels == LabelResampling.FftRound)
            (eegAt, emgAt, labels) = SelectPerModality(r, who, n200, n130, o);
        else
        {
            int count = Math.Min(WindowCount(r.Length, w500, s500), Math.Min(WindowCount(n200, w200, s200), WindowCount(n130, w130, s130)));
            var (index, kept) = SelectWindows(r.Label, w500, s500, count, o.MinMajority);
            (eegAt, emgAt, labels) = (index.Select(k => k * s200).ToArray(), index.Select(k => k * s130).ToArray(), kept);
        }

        int nw = labels.Length, ce = eeg.Length, cm = emg.Length;
        var eegV = new float[nw * ce * w200];
        for (int i = 0; i < nw; i++)
            for (int c = 0; c < ce; c++)
                for (int t = 0; t < w200; t++) eegV[(i * ce + c) * w200 + t] = (float)eeg[c][eegAt[i] + t];

        SignalWindows emgW;
        if (o.Emg == FogEmgForm.Raw)
        {
            var v = new float[nw * cm * w130];
            for (int i = 0; i < nw; i++)
                for (int c = 0; c < cm; c++)
                    for (int t = 0; t < w130; t++) v[(i * cm + c) * w130 + t] = (float)emg[c][emgAt[i] + t];
            emgW = new SignalWindows("emg", EmgHz, cm, w130, v);
        }
        else
        {
            int per = 3 * ScalogramLength(w130) * Scales;
            var v = new float[(long)nw * cm * per];
            Parallel.For(0, nw * cm, j =>
            {
                int i = j / cm, c = j % cm;
                var s = RickerCwt.NormWearScalogram(emg[c].AsSpan(emgAt[i], w130));
                Array.Copy(s, 0, v, (long)j * per, per);
            });
            emgW = new SignalWindows("emg", EmgHz, cm, per, v, [3, ScalogramLength(w130), Scales]);
        }
        return new PairedWindows(dataset, synthetic, ClassNames,
            new SignalWindows("eeg", EegHz, ce, w200, eegV), emgW, labels, Enumerable.Repeat(r.Patient, nw).ToArray());
    }

    /// <summary>
    /// The release's window choice: the 500-Hz label track carried to each modality's length by
    /// <c>round(scipy.signal.resample(labels, n))</c> (it rings at label steps), each modality windowed on its own track
    /// (count (n_g − w_g)/s_g + 1, kept at ≥ 80 % majority), and the i-th kept EEG window paired with the i-th kept EMG
    /// window. The release asserts that both keep as many windows with equal labels; so does this (it throws). Returns
    /// the kept window starts at 200 Hz and at 130 Hz, and the labels.
    /// </summary>
    public static (int[] EegStarts, int[] EmgStarts, int[] Labels) SelectPerModality(FogRecording r, string who, int n200, int n130, FogOptions o)
    {
        int w200 = Samples(o.WindowSeconds, EegHz), s200 = Samples(o.StepSeconds, EegHz);
        int w130 = Samples(o.WindowSeconds, EmgHz), s130 = Samples(o.StepSeconds, EmgHz);
        var l200 = WesadPreprocessing.CarryLabels(r.Label, n200, LabelResampling.FftRound);
        var l130 = WesadPreprocessing.CarryLabels(r.Label, n130, LabelResampling.FftRound);
        var (ie, le) = SelectWindows(l200, w200, s200, WindowCount(n200, w200, s200), o.MinMajority);
        var (im, lm) = SelectWindows(l130, w130, s130, WindowCount(n130, w130, s130), o.MinMajority);
        if (ie.Length != im.Length || !le.SequenceEqual(lm))
            throw new InvalidDataException($"{who}: with the release's per-modality labels EEG keeps {ie.Length} windows and EMG {im.Length}" +
                                           $"{(ie.Length == im.Length ? " with different labels" : "")}; the release stops here too (its assert)");
        if (le.Any(l => l is not (0 or 1)))
            throw new InvalidDataException($"{who}: FFT-carried labels give a window of label {le.First(l => l is not (0 or 1))}; expected 0 or 1");
        return (ie.Select(k => k * s200).ToArray(), im.Select(k => k * s130).ToArray(), le);
    }

    /// <summary>All recordings (two at a time), concatenated in the given order.</summary>
    public static PairedWindows PrepareAll(IReadOnlyList<FogRecording> recordings, string dataset, bool synthetic, FogOptions? o = null)
        => PairedWindows.PrepareEach(recordings, r => Prepare(r, dataset, synthetic, o));

    static int Samples(double seconds, double hz)
    {
        double v = seconds * hz;
        if (!(v >= 0) || Math.Abs(v - Math.Round(v)) > 1e-9)
            throw new ArgumentException($"{seconds} s at {hz} Hz is not a whole number of samples");
        return (int)Math.Round(v);
    }
}
