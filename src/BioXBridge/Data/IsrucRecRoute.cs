using System.Globalization;

namespace BioXBridge.Data;

/// <summary>Which ISRUC files a subject is read from.</summary>
public enum IsrucSource
{
    /// <summary><c>ExtractedChannels/subject&lt;n&gt;.mat</c>: the per-epoch matrices the release used (the default).</summary>
    Mat,
    /// <summary><c>RawData/&lt;n&gt;/&lt;n&gt;.rec</c>: the EDF recording itself (for downloads without ExtractedChannels).</summary>
    Rec,
}

/// <summary>
/// ISRUC's raw recording route: <c>RawData/&lt;n&gt;/&lt;n&gt;.rec</c> is EDF/EDF+ under another extension. Rules, chosen so
/// the result has exactly the <c>.mat</c> route's shape and labels:
/// <list type="bullet">
/// <item>channels are found by label, normalised (trimmed, case-insensitive, '-' read as '_', M1/M2 read as A1/A2), so
/// "F3-A2", "f3_a2" and "F3-M2" all are <c>F3_A2</c>; ECG is <c>X2</c>. A missing or doubly matched channel is an error
/// naming the file and the labels it holds;</item>
/// <item>every needed signal must be sampled at 200 Hz (samples per record ÷ record duration): no silent resampling,
/// because the paper's EEG windows are the raw 200-Hz samples;</item>
/// <item>epochs are consecutive 30-s blocks (6000 samples) from the start of the file; labels are scorer 1's file with
/// the last 30 lines dropped (<see cref="IsrucLabels"/>), and the first len(labels) epochs are used. A recording with
/// fewer complete epochs than labels is an error naming both counts (a partial trailing block is never padded).</item>
/// </list>
/// The EDF's physical values (digital scaled by the header's physical/digital range) are the samples, in the file's
/// physical dimension (µV for ISRUC's EEG).
/// </summary>
public static class IsrucRecRoute
{
    /// <summary>The derivation a label names, e.g. " f3-M2 " → "F3_A2".</summary>
    public static string NormaliseLabel(string label) =>
        string.Join('_', label.Trim().ToUpperInvariant().Replace('-', '_').Split('_')
                              .Select(t => t switch { "M1" => "A1", "M2" => "A2", _ => t }));

    public static IsrucSession Read(string recPath, string subject, string labelPath)
    {
        var needed = IsrucSession.EegChannels.Append(IsrucSession.EcgChannel).ToArray();
        var neededSet = needed.ToHashSet(StringComparer.Ordinal);
        var edf = EdfFile.Read(recPath, label => neededSet.Contains(NormaliseLabel(label)));
        string Holds() => string.Join(", ", edf.Signals.Select(s => $"'{s.Label}'"));

        var stages = IsrucLabels.Read(labelPath);
        const int n = IsrucSession.EpochSamples;
        var channels = new Dictionary<string, double[][]>();
        foreach (var name in needed)
        {
            var matches = edf.Signals.Where(s => !s.IsAnnotation && NormaliseLabel(s.Label) == name).ToArray();
            if (matches.Length == 0)
                throw new InvalidDataException($"{recPath}: no signal for channel '{name}' (labels are matched trimmed, case-insensitive, " +
                                               $"'-' = '_', M1/M2 = A1/A2); the file holds {Holds()}");
            if (matches.Length > 1)
                throw new InvalidDataException($"{recPath}: channel '{name}' is matched by {matches.Length} signals " +
                                               $"({string.Join(", ", matches.Select(s => $"'{s.Label}'"))}); expected exactly one");
            var s = matches[0];
            double hz = edf.SampleRate(s);
            if (Math.Abs(hz - IsrucSession.Hz) > 1e-9)
                throw new InvalidDataException($"{recPath}: signal '{s.Label}' ({name}) is sampled at {Fmt(hz)} Hz " +
                                               $"({s.SamplesPerRecord} samples per {Fmt(edf.Header.RecordDuration)}-s record); expected {Fmt(IsrucSession.Hz)} Hz");
            int complete = (int)Math.Min(int.MaxValue, s.Physical.LongLength / n);
            if (complete < stages.Length)
                throw new InvalidDataException($"{recPath}: signal '{s.Label}' holds {complete} complete 30-s epochs " +
                                               $"({Fmt(s.Physical.Length / hz)} s); {labelPath} labels {stages.Length} after dropping the last " +
                                               $"{IsrucLabels.TrailingLabelsDropped}");
            var rows = new double[stages.Length][];
            for (int e = 0; e < rows.Length; e++) rows[e] = s.Physical.AsSpan(e * n, n).ToArray();
            channels[name] = rows;
        }
        var session = new IsrucSession(subject, channels, stages);
        session.Validate(recPath);
        return session;
    }

    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
