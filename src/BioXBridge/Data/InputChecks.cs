namespace BioXBridge.Data;

/// <summary>
/// Checks a direction's windows before any model sees them, so bad data costs a second and one message instead of
/// minutes of training that ends in NaN losses or a metric over a class that is not there. Each problem names the
/// source, the split, the modality, how many windows and the first one, and what was expected.
/// </summary>
public static class InputChecks
{
    /// <summary>
    /// Sampling rates the preparation of each dataset produces (real and synthetic twin alike); a prepared folder at
    /// another rate was made by another pipeline, and the models' patch and filter sizes assume these.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Rates = new Dictionary<string, IReadOnlyDictionary<string, double>>
    {
        ["wesad"] = new Dictionary<string, double> { ["ecg"] = WesadPreprocessing.EcgHz, ["ppg"] = WesadPreprocessing.PpgHz },
        ["isruc-s1"] = new Dictionary<string, double> { ["eeg"] = IsrucPreprocessing.EegHz, ["ecg"] = IsrucPreprocessing.EcgHz },
        ["fog"] = new Dictionary<string, double> { ["eeg"] = FogPreprocessing.EegHz, ["emg"] = FogPreprocessing.EmgHz },
    };

    /// <summary>A window counts as clipped when this share of its samples sits at its own minimum or maximum.</summary>
    public const double ClippedShare = 0.25;

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> for the first problem found in <paramref name="data"/>.
    /// <paramref name="everyClass"/> false skips the class coverage of a deliberately truncated set (a smoke run's few windows).
    /// </summary>
    public static void Check(SplitData data, string source, bool everyClass = true)
    {
        var splits = data.Named().ToList();
        var classes = data.Train.ClassNames;
        foreach (var (name, part) in splits)
        {
            string Where(string? modality = null) => $"{source}: split '{name}'" + (modality is null ? "" : $", {modality}");
            if (part.Count == 0) throw new InvalidDataException($"{Where()}: no windows; expected at least one in every split");
            if (part.Subjects.Length != part.Count)
                throw new InvalidDataException($"{Where()}: {part.Subjects.Length} subject entries for {part.Count} labels; expected one per window");
            foreach (var w in new[] { part.First, part.Second })
            {
                if (w.Values.Length != part.Count * w.WindowLength)
                    throw new InvalidDataException($"{Where(w.Modality)}: {w.Values.Length} values are not {part.Count} labelled windows of {w.Channels} × {w.Samples}; labels and signal disagree in length");
                var reference = data.Train.Modality(w.Modality);
                if ((w.Channels, w.Samples, w.RateHz) != (reference.Channels, reference.Samples, reference.RateHz))
                    throw new InvalidDataException($"{Where(w.Modality)}: windows of {w.Channels} channel(s) × {w.Samples} samples at {w.RateHz} Hz; " +
                                                   $"the train split has {reference.Channels} × {reference.Samples} at {reference.RateHz} Hz");
                var dataset = part.Dataset.StartsWith("syn", StringComparison.Ordinal) ? part.Dataset[3..].Replace("isruc", "isruc-s1") : part.Dataset;
                if (Rates.TryGetValue(dataset, out var rates) && rates.TryGetValue(w.Modality, out var hz) && Math.Abs(w.RateHz - hz) > 1e-9)
                    throw new InvalidDataException($"{Where(w.Modality)}: sampled at {w.RateHz} Hz; {dataset} is prepared at {hz} Hz — prepare it with 'bioxbridge data prepare'");
                Samples(w, Where(w.Modality));
            }
            foreach (var label in part.Labels.Where(l => l < 0 || l >= classes.Count).Take(1))
                throw new InvalidDataException($"{Where()}: label {label} is outside 0..{classes.Count - 1} ({string.Join(", ", classes)})");
            var missing = Enumerable.Range(0, classes.Count).Where(c => !part.Labels.Contains(c)).Select(c => $"'{classes[c]}'").ToList();
            if (everyClass && name != "pair" && missing.Count > 0) // the paired split's labels are never used
                throw new InvalidDataException($"{Where()}: no window of class {string.Join(", ", missing)}; expected every class in the train, validation " +
                                               "and test splits (a teacher cannot learn, nor a metric weigh, a class it never sees)");
        }
    }

    /// <summary>Non-finite, flat and clipped windows: the first two make NaN losses, the third a signal the sensor lost.</summary>
    private static void Samples(SignalWindows w, string where)
    {
        int nonFinite = 0, flat = 0, clipped = 0, firstNonFinite = -1, firstFlat = -1, firstClipped = -1;
        for (int i = 0; i < w.Count; i++)
        {
            var x = w.Window(i);
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            bool finite = true;
            foreach (var v in x)
            {
                if (!float.IsFinite(v)) { finite = false; break; }
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
            if (!finite) { if (nonFinite++ == 0) firstNonFinite = i; continue; }
            if (hi == lo) { if (flat++ == 0) firstFlat = i; continue; }
            if (w.SampleShape is not null) continue; // a transform (NormWear's scalograms) may rest at its floor: not a sensor's range
            int atEdge = 0;
            foreach (var v in x) if (v == lo || v == hi) atEdge++;
            if (atEdge >= ClippedShare * x.Length && clipped++ == 0) firstClipped = i;
        }
        if (nonFinite > 0)
            throw new InvalidDataException($"{where}: {nonFinite} of {w.Count} windows hold NaN or infinite samples (first: window {firstNonFinite}); expected finite values — drop or repair them when preparing");
        if (flat > 0)
            throw new InvalidDataException($"{where}: {flat} of {w.Count} windows are flat, every sample equal (first: window {firstFlat}); expected a signal — a disconnected sensor? drop them when preparing");
        if (clipped > 0)
            throw new InvalidDataException($"{where}: {clipped} of {w.Count} windows are clipped, ≥ {ClippedShare:P0} of their samples at their minimum or maximum (first: window {firstClipped}); " +
                                           "expected an unsaturated signal — drop them when preparing");
    }
}
