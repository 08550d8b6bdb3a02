using System.Globalization;
using System.Text;

namespace BioXBridge.Data;

/// <summary>The 256-byte fixed part of an EDF header, fields trimmed. <see cref="Reserved"/> starts with "EDF+C" or
/// "EDF+D" in EDF+ files.</summary>
public sealed record EdfHeader(
    string Version, string Patient, string Recording, string StartDate, string StartTime, int HeaderBytes,
    string Reserved, int RecordCount, double RecordDuration, int SignalCount)
{
    public bool IsEdfPlus => Reserved.StartsWith("EDF+", StringComparison.Ordinal);
}

/// <summary>
/// One signal: its 256-byte header fields and its samples converted to physical units,
/// physical = (digital − dmin)·(pmax − pmin)/(dmax − dmin) + pmin. <see cref="Physical"/> is empty for an
/// "EDF Annotations" signal and for signals not asked for.
/// </summary>
public sealed record EdfSignal(
    string Label, string Transducer, string PhysicalDimension, double PhysicalMin, double PhysicalMax,
    int DigitalMin, int DigitalMax, string Prefiltering, int SamplesPerRecord, double[] Physical)
{
    public const string AnnotationLabel = "EDF Annotations";
    public bool IsAnnotation => Label == AnnotationLabel;

    /// <summary>Physical size of one digital step: what a written-then-read value can be off by, times ½.</summary>
    public double Resolution => (PhysicalMax - PhysicalMin) / (DigitalMax - DigitalMin);

    public double ToPhysical(int digital) => (digital - DigitalMin) * (PhysicalMax - PhysicalMin) / (DigitalMax - DigitalMin) + PhysicalMin;
}

/// <summary>An EDF+ annotation: onset in seconds from the start of the file, optional duration, text.</summary>
public sealed record EdfAnnotation(double Onset, double? Duration, string Text);

/// <summary>A whole EDF/EDF+ file. <see cref="AnnotationTal"/> holds the raw annotation bytes of each data record
/// (per annotation signal, in file order; time-stamped annotation lists as UTF-8, NULs trimmed) and <see cref="Annotations"/> the parsed non-empty annotations.</summary>
public sealed record EdfRecording(
    string Path, EdfHeader Header, IReadOnlyList<EdfSignal> Signals, IReadOnlyList<string> AnnotationTal,
    IReadOnlyList<EdfAnnotation> Annotations)
{
    public EdfSignal Signal(string label) => Signals.FirstOrDefault(s => s.Label == label)
        ?? throw new KeyNotFoundException($"{Path}: no signal '{label}'; the file holds {string.Join(", ", Signals.Select(s => $"'{s.Label}'"))}");

    public double SampleRate(EdfSignal s) => s.SamplesPerRecord / Header.RecordDuration;
}

/// <summary>
/// EDF and EDF+ (https://www.edfplus.info/specs/edf.html): the format of ISRUC's <c>RawData/&lt;n&gt;/&lt;n&gt;.rec</c>.
/// A 256-byte ASCII header, 256 bytes per signal (fields stored signal after signal), then data records of
/// little-endian int16, signal after signal. Every malformed-input error is one <see cref="InvalidDataException"/>
/// naming the file and the field (signals are numbered from 1, as in EDF viewers).
/// </summary>
public static partial class EdfFile
{
    // Per-signal fields in file order, with their widths in bytes.
    internal static readonly (string Name, int Width)[] SignalFields =
    [
        ("label", 16), ("transducer type", 80), ("physical dimension", 8), ("physical minimum", 8), ("physical maximum", 8),
        ("digital minimum", 8), ("digital maximum", 8), ("prefiltering", 80), ("samples per record", 8), ("reserved", 32),
    ];

    /// <summary>Reads the header and the signals; with <paramref name="labels"/>, converts only those signals' samples
    /// (an ISRUC night is ~20 signals × 8 h at 200 Hz, and a model needs a handful).</summary>
    public static EdfRecording Read(string path, IEnumerable<string>? labels = null)
    {
        var wanted = labels?.ToHashSet(StringComparer.Ordinal);
        return Read(path, wanted == null ? null : wanted.Contains);
    }

    /// <summary>As <see cref="Read(string, IEnumerable{string})"/>, converting the signals whose label
    /// <paramref name="wanted"/> accepts (null: all), for callers that match labels loosely (ISRUC's .rec route).</summary>
    public static EdfRecording Read(string path, Func<string, bool>? wanted)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var fixedPart = new byte[256];
        int got = f.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false);
        if (got >= 1 && fixedPart[0] == 0xFF)
            throw new InvalidDataException($"{path}: field 'version': a BDF (24-bit) file; only EDF/EDF+ (16-bit) is supported");
        if (got < 256) throw new InvalidDataException($"{path}: header truncated: the file holds {got} bytes; the fixed EDF header needs 256");
        string Text(int at, int n) => Encoding.Latin1.GetString(fixedPart, at, n).Trim();
        string version = Text(0, 8);
        if (version != "0") throw new InvalidDataException($"{path}: field 'version': expected '0', found '{version}' (not an EDF file)");
        int headerBytes = Int(path, "header bytes", null, Text(184, 8));
        string reserved = Text(192, 44);
        int records = Int(path, "number of data records", null, Text(236, 8));
        double duration = Num(path, "duration of a data record", null, Text(244, 8));
        int ns = Int(path, "number of signals", null, Text(252, 4));
        if (ns < 1) throw new InvalidDataException($"{path}: field 'number of signals': expected at least 1, found {ns}");
        if (duration < 0) throw new InvalidDataException($"{path}: field 'duration of a data record': expected ≥ 0 seconds, found {duration}");
        if (headerBytes != 256 * (ns + 1))
            throw new InvalidDataException($"{path}: field 'header bytes': expected 256 + 256 × {ns} signals = {256 * (ns + 1)}, found {headerBytes}");

        var sig = new byte[256 * ns];
        got = f.ReadAtLeast(sig, sig.Length, throwOnEndOfStream: false);
        if (got < sig.Length)
            throw new InvalidDataException($"{path}: header truncated: the file holds {256 + got} bytes; the header of {ns} signals needs {headerBytes}");
        var fields = new string[SignalFields.Length][];
        for (int k = 0, at = 0; k < SignalFields.Length; at += SignalFields[k].Width * ns, k++)
        {
            fields[k] = new string[ns];
            for (int i = 0; i < ns; i++) fields[k][i] = Encoding.Latin1.GetString(sig, at + i * SignalFields[k].Width, SignalFields[k].Width).Trim();
        }
        var signals = new EdfSignal[ns];
        for (int i = 0; i < ns; i++)
        {
            string who = $"signal {i + 1} '{fields[0][i]}'";
            double pmin = Num(path, "physical minimum", who, fields[3][i]), pmax = Num(path, "physical maximum", who, fields[4][i]);
            int dmin = Int(path, "digital minimum", who, fields[5][i]), dmax = Int(path, "digital maximum", who, fields[6][i]);
            int spr = Int(path, "samples per record", who, fields[8][i]);
            if (dmin < short.MinValue || dmax > short.MaxValue || dmax <= dmin)
                throw new InvalidDataException($"{path}: fields 'digital minimum'/'digital maximum' of {who}: expected -32768 ≤ min < max ≤ 32767, found {dmin}/{dmax}");
            if (pmax == pmin) throw new InvalidDataException($"{path}: fields 'physical minimum'/'physical maximum' of {who}: both are {pmin}; the scaling would divide by zero");
            if (spr < 1) throw new InvalidDataException($"{path}: field 'samples per record' of {who}: expected at least 1, found {spr}");
            signals[i] = new EdfSignal(fields[0][i], fields[1][i], fields[2][i], pmin, pmax, dmin, dmax, fields[7][i], spr, []);
        }

        long recordBytes = 2L * signals.Sum(s => (long)s.SamplesPerRecord);
        long dataBytes = f.Length - headerBytes;
        if (records == -1 && dataBytes % recordBytes == 0) records = (int)(dataBytes / recordBytes); // -1: "unknown" while recording
        if (records < 0) throw new InvalidDataException($"{path}: field 'number of data records': expected a count ≥ 0, found {records}");
        if (dataBytes != records * recordBytes)
        {
            string holds = (dataBytes / (double)recordBytes).ToString("0.###", CultureInfo.InvariantCulture);
            throw new InvalidDataException(dataBytes < records * recordBytes
                ? $"{path}: data truncated: header says {records} records of {recordBytes} bytes, file holds {holds}"
                : $"{path}: trailing bytes: header says {records} records of {recordBytes} bytes, file holds {holds}");
        }

        var header = new EdfHeader(version, Text(8, 80), Text(88, 80), Text(168, 8), Text(176, 8), headerBytes, reserved, records, duration, ns);
        var values = signals.Select(s => !s.IsAnnotation && (wanted == null || wanted(s.Label))
            ? new double[(long)records * s.SamplesPerRecord] : null).ToArray();
        var tal = new List<string>();
        var buf = new byte[recordBytes];
        for (int r = 0; r < records; r++)
        {
            f.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            int at = 0;
            for (int i = 0; i < ns; i++)
            {
                var s = signals[i];
                int n = s.SamplesPerRecord;
                if (s.IsAnnotation) tal.Add(Encoding.UTF8.GetString(buf, at, 2 * n).TrimEnd('\0'));
                else if (values[i] is { } v)
                    for (int k = 0; k < n; k++)
                        v[(long)r * n + k] = s.ToPhysical((short)(buf[at + 2 * k] | buf[at + 2 * k + 1] << 8));
                at += 2 * n;
            }
        }
        var withData = signals.Select((s, i) => values[i] is { } v ? s with { Physical = v } : s).ToArray();
        return new EdfRecording(path, header, withData, tal, ParseAnnotations(path, tal));
    }

    /// <summary>Parses time-stamped annotation lists: "+onset[\x15duration]\x14text\x14…\x14\0". The first TAL of each
    /// record carries an empty text (the record's start time) and is not an annotation.</summary>
    private static List<EdfAnnotation> ParseAnnotations(string path, IReadOnlyList<string> records)
    {
        var result = new List<EdfAnnotation>();
        for (int r = 0; r < records.Count; r++)
            foreach (var t in records[r].Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = t.Split('\x14');
                var time = parts[0].Split('\x15');
                string who = $"annotation in record {r + 1}";
                if (time[0].Length < 2 || time[0][0] is not ('+' or '-') || parts.Length < 2)
                    throw new InvalidDataException($"{path}: field 'onset' of {who}: expected '+seconds' followed by \\x14, found '{Escape(t)}'");
                double onset = Num(path, "onset", who, time[0]);
                double? dur = time.Length > 1 ? Num(path, "duration", who, time[1]) : null;
                foreach (var text in parts.Skip(1).Where(x => x.Length > 0)) result.Add(new EdfAnnotation(onset, dur, text));
            }
        return result;
    }

    internal static int Int(string path, string field, string? who, string s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{path}: field '{field}'{(who == null ? "" : $" of {who}")}: expected an integer, found '{Escape(s)}'");

    internal static double Num(string path, string field, string? who, string s) =>
        double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var v)
        && double.IsFinite(v) ? v
            : throw new InvalidDataException($"{path}: field '{field}'{(who == null ? "" : $" of {who}")}: expected a number, found '{Escape(s)}'");

    private static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and < '\x7f' ? c.ToString() : $"\\x{(int)c:x2}"));

}
