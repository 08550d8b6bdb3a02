using System.Globalization;
using System.Text.RegularExpressions;

namespace BioXBridge.Data;

/// <summary>
/// One FOG task recording (Zhang et al. 2022) at <see cref="Hz"/>: six EEG channels (the release's
/// <c>df.iloc[:, 2:27]</c> rows [2, 3, 4, 5, 8, 9], i.e. file columns 4, 5, 6, 7, 10, 11), three EMG channels in the
/// patient's column order, and the per-sample label (0 normal gait, 1 freezing).
/// <paramref name="Session"/> is "" for patients without session folders, "OFF_1"/"OFF_2" for patient 008.
/// </summary>
public sealed record FogRecording(string Patient, string Session, string Task, double[][] Eeg, double[][] Emg, int[] Label)
{
    public const double Hz = 500;
    public int Length => Label.Length;
    public double DurationSeconds => Length / Hz;
}

/// <summary>A discovered <c>task_N.txt</c>: where it is and whose it is.</summary>
public sealed record FogTaskFile(string Path, string Patient, string Session, string Task);

/// <summary>
/// Reads the FOG dataset's filtered CSVs: <c>Filtered Data/&lt;patient&gt;/[&lt;session&gt;/]task_N.txt</c>, headerless
/// comma-separated rows (col 0 index, col 1 time, cols 2–26 EEG, 27–31 EMG/other, col 60 label 0/1). Every problem is an
/// <see cref="InvalidDataException"/> naming the file, line (1-based) and column (0-based, as the release's <c>make_FOG.py</c> counts them), e.g.
/// <c>…/task_3.txt: line 1042: column 60: expected 0 or 1, found 'x'</c>.
/// </summary>
public static partial class FogReader
{
    /// <summary>Offsets into the 25 EEG columns 2–26 the release keeps (six electrodes F3, C3, O1, F4, C4, O2).</summary>
    public static IReadOnlyList<int> EegOffsets { get; } = [2, 3, 4, 5, 8, 9];
    public const int EegFirstColumn = 2;
    /// <summary>Absolute file columns of the six EEG channels: 2 + <see cref="EegOffsets"/>.</summary>
    public static IReadOnlyList<int> EegColumns { get; } = EegOffsets.Select(o => EegFirstColumn + o).ToArray();
    public const int LabelColumn = 60;
    public const int MinColumns = LabelColumn + 1;

    /// <summary>The release's per-recording EMG column map (<c>make_FOG.py</c>), keyed "patient" or "patient/session".</summary>
    public static IReadOnlyDictionary<string, int[]> EmgColumnMap { get; } = new Dictionary<string, int[]>
    {
        ["001"] = [27, 28, 31], ["002"] = [27, 28, 31], ["006"] = [27, 28, 31], ["007"] = [27, 28, 31], ["008/OFF_1"] = [27, 28, 31],
        ["003"] = [28, 27, 31], ["004"] = [28, 27, 31], ["005"] = [28, 27, 31], ["010"] = [28, 27, 31], ["011"] = [28, 27, 31], ["012"] = [28, 27, 31],
        ["008/OFF_2"] = [27, 31, 28],
        ["009"] = [28, 27, 30],
    };

    /// <summary>The EMG columns of a patient (and session, for 008). Throws naming the recording when unmapped.</summary>
    public static int[] EmgColumns(string patient, string session = "")
    {
        var key = session.Length > 0 ? $"{patient}/{session}" : patient;
        if (EmgColumnMap.TryGetValue(key, out var cols) || EmgColumnMap.TryGetValue(patient, out cols)) return cols;
        var known = string.Join(", ", EmgColumnMap.Keys.Where(k => k.StartsWith(patient + "/", StringComparison.Ordinal)));
        throw new InvalidDataException(known.Length > 0
            ? $"FOG patient {patient}: session '{session}' has no EMG column map (known: {known})"
            : $"FOG patient '{key}' has no EMG column map (known patients: 001–012)");
    }

    /// <summary>
    /// All <c>task_N.txt</c> files under a FOG root: <paramref name="root"/> may be the dataset folder holding
    /// <c>Filtered Data</c> (or <c>FilteredData</c>) or that folder itself. Patient folders are the 3-digit names; a
    /// sub-folder between patient and file is the session. Sorted by patient, session, task number.
    /// </summary>
    public static IReadOnlyList<FogTaskFile> Discover(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: FOG folder not found");
        string? filtered = new[] { "Filtered Data", "FilteredData" }.Select(n => Path.Combine(root, n)).FirstOrDefault(Directory.Exists);
        filtered ??= Directory.EnumerateDirectories(root).Any(d => PatientDir().IsMatch(Path.GetFileName(d))) ? root : null;
        if (filtered is null)
            throw new InvalidDataException($"{root}: no 'Filtered Data' (or 'FilteredData') folder and no patient folders (001…012)");
        var found = new List<(FogTaskFile f, int task)>();
        foreach (var pdir in Directory.EnumerateDirectories(filtered).Where(d => PatientDir().IsMatch(Path.GetFileName(d))))
        {
            var patient = Path.GetFileName(pdir);
            foreach (var file in Directory.EnumerateFiles(pdir, "task_*.txt", SearchOption.AllDirectories))
            {
                var m = TaskFile().Match(Path.GetFileName(file));
                if (!m.Success) continue;
                var session = Path.GetRelativePath(pdir, Path.GetDirectoryName(file)!);
                session = session == "." ? "" : session.Replace(Path.DirectorySeparatorChar, '/');
                found.Add((new FogTaskFile(file, patient, session, Path.GetFileNameWithoutExtension(file)), int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            }
        }
        if (found.Count == 0) throw new InvalidDataException($"{filtered}: no <patient>/…/task_N.txt files found");
        return found.OrderBy(x => x.f.Patient, StringComparer.Ordinal).ThenBy(x => x.f.Session, StringComparer.Ordinal)
                    .ThenBy(x => x.task).Select(x => x.f).ToList();
    }

    public static FogRecording Read(FogTaskFile f) => Read(f.Path, f.Patient, f.Session);

    /// <summary>Reads one task file with the patient's (and session's) EMG columns, or <paramref name="emgColumns"/> if given.</summary>
    public static FogRecording Read(string path, string patient, string session = "", IReadOnlyList<int>? emgColumns = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: FOG task file not found", path);
        var emgCols = (emgColumns ?? EmgColumns(patient, session)).ToArray();
        if (emgCols.Any(c => c < 0 || c >= MinColumns))
            throw new ArgumentException($"EMG columns must lie in 0..{MinColumns - 1}: {string.Join(", ", emgCols)}", nameof(emgColumns));
        var eegCols = EegColumns.ToArray();
        var eeg = eegCols.Select(_ => new List<double>()).ToArray();
        var emg = emgCols.Select(_ => new List<double>()).ToArray();
        var label = new List<int>();
        var cells = new Range[LabelColumn + 1];   // where columns 0..60 of the current row lie
        int lineNo = 0;
        try
        {
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                var row = line.AsSpan();
                if (row.IsWhiteSpace()) continue;
                int col = 0, start = 0;
                for (int i = 0; i <= row.Length; i++)
                {
                    if (i < row.Length && row[i] != ',') continue;
                    if (col <= LabelColumn) cells[col] = start..i;
                    col++;
                    start = i + 1;
                }
                if (col < MinColumns)
                    throw Error(path, lineNo, null, $"expected at least {MinColumns} comma-separated columns (label in column {LabelColumn}), found {col}");
                for (int k = 0; k < eegCols.Length; k++) eeg[k].Add(Number(row[cells[eegCols[k]]], path, lineNo, eegCols[k]));
                for (int k = 0; k < emgCols.Length; k++) emg[k].Add(Number(row[cells[emgCols[k]]], path, lineNo, emgCols[k]));
                var l = row[cells[LabelColumn]].Trim();
                label.Add(double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var lv) && (lv == 0 || lv == 1)
                    ? (int)lv
                    : throw Error(path, lineNo, LabelColumn, $"expected 0 or 1, found '{Short(l)}'"));
            }
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: read error after line {lineNo} ({e.Message})", e);
        }
        if (label.Count == 0) throw new InvalidDataException($"{path}: no data rows (empty file)");
        return new FogRecording(patient, session, Path.GetFileNameWithoutExtension(path),
            eeg.Select(c => c.ToArray()).ToArray(), emg.Select(c => c.ToArray()).ToArray(), label.ToArray());
    }

    private static double Number(ReadOnlySpan<char> cell, string path, int line, int col)
    {
        cell = cell.Trim();
        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw Error(path, line, col, cell.IsEmpty ? "expected a number, found an empty cell" : $"expected a finite number, found '{Short(cell)}'");
    }

    private static InvalidDataException Error(string path, int line, int? col, string what) =>
        new($"{path}: line {line}: {(col is int c ? $"column {c}: " : "")}{what}");

    private static string Short(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..40].ToString() + "…";

    [GeneratedRegex(@"^\d{3}$")]
    private static partial Regex PatientDir();

    [GeneratedRegex(@"^task_(\d+)\.txt$")]
    private static partial Regex TaskFile();
}
