using System.Globalization;
using System.Text;

namespace BioXBridge.Data;

/// <summary>
/// A signal to write: physical samples (length = records × <see cref="SamplesPerRecord"/>) and the scaling. With
/// <see cref="PhysicalMin"/>/<see cref="PhysicalMax"/> left null the data's own range is used, rounded outwards to
/// what the 8-character fields can hold. Values outside the range are clipped, as an amplifier would saturate.
/// </summary>
public sealed record EdfSignalSpec(
    string Label, double[] Physical, int SamplesPerRecord, double? PhysicalMin = null, double? PhysicalMax = null,
    string PhysicalDimension = "uV", int DigitalMin = -32768, int DigitalMax = 32767, string Transducer = "",
    string Prefiltering = "");

/// <summary>File-level fields. <see cref="EdfPlus"/> writes "EDF+C" and an "EDF Annotations" signal holding the record
/// start times and <see cref="Annotations"/> (each placed in the record its onset falls in).</summary>
public sealed record EdfWriteOptions(
    DateTime Start, double RecordDuration = 1, string Patient = "X X X X", string? Recording = null,
    bool EdfPlus = false, IReadOnlyList<EdfAnnotation>? Annotations = null);

public static partial class EdfFile
{
    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a file. The scaling is
    /// computed from the header fields as written (after formatting to 8 characters), so reading gives back each
    /// value to within half a digital step.</summary>
    public static void Write(string path, EdfWriteOptions options, IReadOnlyList<EdfSignalSpec> signals)
    {
        if (signals.Count == 0) throw new ArgumentException("EDF writer: no signals");
        if (!(options.RecordDuration > 0)) throw new ArgumentException($"EDF writer: record duration must be > 0, got {options.RecordDuration}");
        int records = -1;
        foreach (var s in signals)
        {
            if (s.SamplesPerRecord < 1 || s.Physical.Length % s.SamplesPerRecord != 0)
                throw new ArgumentException($"EDF writer: signal '{s.Label}' has {s.Physical.Length} samples, not a whole number of records of {s.SamplesPerRecord}");
            int r = s.Physical.Length / s.SamplesPerRecord;
            if (records >= 0 && r != records) throw new ArgumentException($"EDF writer: signal '{s.Label}' spans {r} records; the first signal spans {records}");
            records = r;
        }

        var scaled = signals.Select(Scale).ToList();
        var annotations = options.EdfPlus ? AnnotationRecords(options, records) : null;
        int annSamples = annotations == null ? 0 : (annotations.Max(a => a.Length) + 1) / 2;
        int ns = signals.Count + (annotations == null ? 0 : 1);

        var h = new StringBuilder();
        string recording = options.Recording
            ?? (options.EdfPlus ? $"Startdate {options.Start.ToString("dd-MMM-yyyy", CultureInfo.InvariantCulture).ToUpperInvariant()} X X X" : "");
        h.Append(Field("0", 8, "version")).Append(Field(options.Patient, 80, "patient")).Append(Field(recording, 80, "recording"))
         .Append(options.Start.ToString("dd.MM.yy", CultureInfo.InvariantCulture)).Append(options.Start.ToString("HH.mm.ss", CultureInfo.InvariantCulture))
         .Append(Field((256 * (ns + 1)).ToString(CultureInfo.InvariantCulture), 8, "header bytes"))
         .Append(Field(options.EdfPlus ? "EDF+C" : "", 44, "reserved"))
         .Append(Field(records.ToString(CultureInfo.InvariantCulture), 8, "number of data records"))
         .Append(Field(Fmt(options.RecordDuration, 0, "duration of a data record"), 8, "duration of a data record"))
         .Append(Field(ns.ToString(CultureInfo.InvariantCulture), 4, "number of signals"));

        var rows = scaled.Select(s => new[]
        {
            s.Spec.Label, s.Spec.Transducer, s.Spec.PhysicalDimension, s.Pmin, s.Pmax,
            s.Spec.DigitalMin.ToString(CultureInfo.InvariantCulture), s.Spec.DigitalMax.ToString(CultureInfo.InvariantCulture),
            s.Spec.Prefiltering, s.Spec.SamplesPerRecord.ToString(CultureInfo.InvariantCulture), "",
        }).ToList();
        if (annotations != null)
            rows.Add([EdfSignal.AnnotationLabel, "", "", "-1", "1", "-32768", "32767", "", annSamples.ToString(CultureInfo.InvariantCulture), ""]);
        for (int k = 0; k < SignalFields.Length; k++)
            foreach (var row in rows) h.Append(Field(row[k], SignalFields[k].Width, $"{SignalFields[k].Name} of signal '{row[0]}'"));

        var tmp = path + $".{Environment.ProcessId}.tmp";
        using (var f = new BufferedStream(File.Create(tmp), 1 << 16))
        {
            f.Write(Encoding.ASCII.GetBytes(h.ToString()));
            for (int r = 0; r < records; r++)
            {
                foreach (var s in scaled)
                {
                    int n = s.Spec.SamplesPerRecord;
                    for (int k = 0; k < n; k++)
                    {
                        short d = s.Digital[r * n + k];
                        f.WriteByte((byte)d);
                        f.WriteByte((byte)(d >> 8));
                    }
                }
                if (annotations != null)
                {
                    var a = annotations[r];
                    f.Write(a);
                    f.Write(new byte[2 * annSamples - a.Length]);
                }
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    private sealed record Scaled(EdfSignalSpec Spec, string Pmin, string Pmax, short[] Digital);

    private static Scaled Scale(EdfSignalSpec s)
    {
        string who = $"signal '{s.Label}'";
        if (s.DigitalMin < short.MinValue || s.DigitalMax > short.MaxValue || s.DigitalMax <= s.DigitalMin)
            throw new ArgumentException($"EDF writer: {who}: digital range {s.DigitalMin}..{s.DigitalMax} must satisfy -32768 ≤ min < max ≤ 32767");
        if (s.Physical.Any(v => !double.IsFinite(v))) throw new ArgumentException($"EDF writer: {who} holds NaN or infinite samples");
        double lo = s.PhysicalMin ?? (s.Physical.Length > 0 ? s.Physical.Min() : 0);
        double hi = s.PhysicalMax ?? (s.Physical.Length > 0 ? s.Physical.Max() : 1);
        if (hi <= lo && s.PhysicalMin == null && s.PhysicalMax == null) hi = lo + 1; // a flat signal still needs a range
        string pmin = Fmt(lo, -1, $"physical minimum of {who}"), pmax = Fmt(hi, +1, $"physical maximum of {who}");
        // Quantise with the values a reader will see, not the unformatted ones, so the round trip is exact to ½ step.
        double a = double.Parse(pmin, CultureInfo.InvariantCulture), b = double.Parse(pmax, CultureInfo.InvariantCulture);
        if (a == b) throw new ArgumentException($"EDF writer: {who}: physical minimum and maximum are both {pmin}");
        int dmin = s.DigitalMin, dmax = s.DigitalMax;
        var d = new short[s.Physical.Length];
        for (int k = 0; k < d.Length; k++)
        {
            double x = Math.Round((s.Physical[k] - a) * (dmax - dmin) / (b - a) + dmin);
            d[k] = (short)Math.Clamp(x, dmin, dmax);
        }
        return new Scaled(s, pmin, pmax, d);
    }

    /// <summary>Per data record, the UTF-8 bytes of its TALs: the time-keeping TAL "+start\x14\x14\0", then the
    /// annotations whose onset falls in the record (the last record takes any later ones).</summary>
    private static byte[][] AnnotationRecords(EdfWriteOptions o, int records)
    {
        var texts = Enumerable.Range(0, records).Select(r => new StringBuilder($"+{Sec(r * o.RecordDuration)}\x14\x14\0")).ToArray();
        foreach (var a in o.Annotations ?? [])
        {
            if (a.Text.Contains('\x14') || a.Text.Contains('\x15') || a.Text.Contains('\0'))
                throw new ArgumentException($"EDF writer: annotation '{a.Text}' contains a TAL separator byte");
            int r = Math.Clamp((int)Math.Floor(a.Onset / o.RecordDuration), 0, records - 1);
            texts[r].Append(a.Onset < 0 ? "-" : "+").Append(Sec(Math.Abs(a.Onset)));
            if (a.Duration is { } dur) texts[r].Append('\x15').Append(Sec(dur));
            texts[r].Append('\x14').Append(a.Text).Append("\x14\0");
        }
        return texts.Select(t => Encoding.UTF8.GetBytes(t.ToString())).ToArray();
    }

    private static string Sec(double s) => s.ToString("0.#########", CultureInfo.InvariantCulture);

    /// <summary>Formats a number in at most 8 characters, plain decimal notation (EDF allows no exponent), keeping
    /// as many decimals as fit; <paramref name="direction"/> −1/+1 rounds down/up so a range only widens.</summary>
    private static string Fmt(double v, int direction, string field)
    {
        string exact = v.ToString("0.#######", CultureInfo.InvariantCulture);
        if (exact.Length <= 8 && double.Parse(exact, CultureInfo.InvariantCulture) == v) return exact == "-0" ? "0" : exact;
        for (int dec = 7; dec >= 0; dec--)
        {
            double scale = Math.Pow(10, dec), q = v * scale;
            q = direction < 0 ? Math.Floor(q) : direction > 0 ? Math.Ceiling(q) : Math.Round(q);
            string s = (q / scale).ToString("F" + dec, CultureInfo.InvariantCulture);
            if (s.Contains('.')) s = s.TrimEnd('0').TrimEnd('.');
            if (s == "-0") s = "0";
            if (s.Length <= 8) return s;
        }
        throw new ArgumentException($"EDF writer: {field}: {v} does not fit the 8-character field");
    }

    private static string Field(string value, int width, string field)
    {
        if (value.Length > width || value.Any(c => c is < ' ' or > '~'))
            throw new ArgumentException($"EDF writer: field '{field}': '{value}' must be printable ASCII of at most {width} characters");
        return value.PadRight(width);
    }
}
