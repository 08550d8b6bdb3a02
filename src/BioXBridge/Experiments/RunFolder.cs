using System.Globalization;
using System.Text;

namespace BioXBridge.Experiments;

/// <summary>
/// A run's output folder: <c>record.json</c>, <c>results.csv</c>, and what the caller adds (the bridge artifact, the
/// front end's <c>report.html</c>). A finished run is never
/// overwritten, and nothing appears half-written: files are built in a hidden sibling folder that is renamed into
/// place only when all of them are complete.
/// </summary>
public static class RunFolder
{
    public const string RecordFile = "record.json", ResultsFile = "results.csv";

    /// <summary>
    /// Fails early, before any computation, if <paramref name="dir"/> holds a finished run, is not an empty folder, or
    /// cannot be written. Returns the full path.
    /// </summary>
    public static string Check(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (File.Exists(full)) throw new IOException($"{dir}: is a file; expected a folder for the run");
        if (File.Exists(Path.Combine(full, RecordFile)))
            throw new IOException($"{dir}: holds a finished run ({RecordFile} exists); choose another folder — runs are never overwritten");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new IOException($"{dir}: folder is not empty; expected a new or empty folder");
        var parent = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(parent);
            var probe = Path.Combine(parent, $".bioxbridge-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{dir}: cannot write to {parent} ({e.Message})");
        }
        return full;
    }

    /// <summary>
    /// Writes <c>record.json</c> and <c>results.csv</c>, and whatever <paramref name="extra"/> adds to the staging folder
    /// (the bridge artifact, a report), all appearing together.
    /// </summary>
    public static void Write(RunRecord record, string dir, Action<string>? extra = null)
    {
        Check(dir); // the finer messages: a finished run, an unwritable parent
        OutputFolder.Create(dir, "runs", staging =>
        {
            File.WriteAllText(Path.Combine(staging, RecordFile), record.ToJson());
            File.WriteAllText(Path.Combine(staging, ResultsFile), ResultsCsv(record));
            extra?.Invoke(staging);
        });
    }

    public static RunRecord Read(string dir)
    {
        var path = Path.Combine(dir, RecordFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no run record here", path);
        return RunRecord.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>One row per method; metrics as fractions. The <c>data</c> column repeats whether the data were synthetic.</summary>
    public static string ResultsCsv(RunRecord r)
    {
        var sb = new StringBuilder("run,dataset,data,seed,method,input,trainable_parameters,accuracy,balanced_accuracy,f1_macro,f1_weighted,kappa,seconds\n");
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var (name, m) in r.Methods)
            sb.Append(string.Join(',', r.Name, r.Dataset, r.Synthetic ? "synthetic" : "real", r.Seed, name, m.Input,
                m.TrainableParameters?.ToString(CultureInfo.InvariantCulture) ?? "", F(m.Metrics.Accuracy),
                F(m.Metrics.BalancedAccuracy), F(m.Metrics.F1Macro), F(m.Metrics.F1Weighted), F(m.Metrics.Kappa),
                m.Seconds.ToString("F2", CultureInfo.InvariantCulture))).Append('\n');
        return sb.ToString();
    }
}
