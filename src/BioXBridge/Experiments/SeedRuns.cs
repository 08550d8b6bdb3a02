using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BioXBridge.Experiments;

/// <summary>Mean and sample standard deviation (n − 1; null for one value) of one metric over seeds, with the values.</summary>
public sealed record Summary(double Mean, double? Sd, double[] Values)
{
    public static Summary Of(IReadOnlyList<double> v)
    {
        double mean = v.Average();
        double? sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : null;
        return new(mean, sd, v.ToArray());
    }
}

/// <summary>
/// One method over seeds: every metric summarised, its trainable parameters and time. Each metric is a field of its own
/// (<c>methods.bridge.balanced_accuracy.mean</c> in the JSON); <see cref="Metrics"/> lists them by name.
/// </summary>
public sealed record MethodSummary(string Input, long? TrainableParameters, Summary Accuracy, Summary BalancedAccuracy,
                                   Summary F1Macro, Summary F1Weighted, Summary Kappa, Summary Seconds)
{
    /// <summary>The metrics by their JSON names, in <see cref="AggregateRecord.MetricNames"/> order.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, Summary> Metrics => new Dictionary<string, Summary>
    {
        ["accuracy"] = Accuracy, ["balanced_accuracy"] = BalancedAccuracy, ["f1_macro"] = F1Macro, ["f1_weighted"] = F1Weighted, ["kappa"] = Kappa,
    };
}

/// <summary>
/// Schema <c>bioxbridge.aggregate/1</c>: a direction over seeds, written beside the seeds' run folders. Metric names
/// are <see cref="MetricNames"/>; methods are oracle, random, bridge, kd, kd_contrast (those that ran).
/// </summary>
public sealed record AggregateRecord
{
    public string Schema { get; init; } = "bioxbridge.aggregate/1";
    public required string Name { get; init; }
    public required string Direction { get; init; }
    public required string Dataset { get; init; }
    public required bool Synthetic { get; init; }
    public required string DataNote { get; init; }
    /// <summary>The runs' <see cref="RunRecord.SplitUnit"/>: "window" for the release's leaky FOG split.</summary>
    public string SplitUnit { get; init; } = "subject";
    public required string OldModality { get; init; }
    public required string NewModality { get; init; }
    public required int[] Seeds { get; init; }
    public required IReadOnlyDictionary<string, MethodSummary> Methods { get; init; }
    /// <summary>Selected (or fixed) positions per seed: (m, l).</summary>
    public required int[][] Positions { get; init; }
    public required IReadOnlyDictionary<string, string> Weights { get; init; }
    public required long PeakMemoryBytes { get; init; }
    public required double Seconds { get; init; }
    public required DirectionConfig Config { get; init; }

    public static readonly string[] MetricNames = ["accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "kappa"];

    public static AggregateRecord From(IReadOnlyList<RunRecord> runs, double seconds)
    {
        var first = runs[0];
        var methods = first.Methods.Keys.ToDictionary(m => m, m =>
        {
            var rows = runs.Select(r => r.Methods[m]).ToList();
            Summary Of(string metric) => Summary.Of(rows.Select(x => Metric(x.Metrics, metric)).ToList());
            return new MethodSummary(rows[0].Input, rows[0].TrainableParameters, Of("accuracy"), Of("balanced_accuracy"), Of("f1_macro"),
                                     Of("f1_weighted"), Of("kappa"), Summary.Of(rows.Select(x => x.Seconds).ToList()));
        });
        return new()
        {
            Name = first.Name, Direction = first.Direction, Dataset = first.Dataset, Synthetic = first.Synthetic, DataNote = first.DataNote,
            SplitUnit = first.SplitUnit, OldModality = first.OldModality, NewModality = first.NewModality, Seeds = runs.Select(r => r.Seed).ToArray(), Methods = methods,
            Positions = runs.Select(r => new[] { r.Positions.Input, r.Positions.Output }).ToArray(), Weights = first.Weights,
            PeakMemoryBytes = runs.Max(r => r.PeakMemoryBytes), Seconds = seconds, Config = first.Config,
        };
    }

    public static double Metric(MetricValues m, string name) => name switch
    {
        "accuracy" => m.Accuracy, "balanced_accuracy" => m.BalancedAccuracy, "f1_macro" => m.F1Macro,
        "f1_weighted" => m.F1Weighted, "kappa" => m.Kappa,
        _ => throw new ArgumentException($"unknown metric '{name}'; expected one of {string.Join(", ", MetricNames)}"),
    };
}

/// <summary>
/// A direction over several seeds from one command: the data and both frozen models are loaded once and shared, each
/// seed writes its own immutable folder <c>seed-N/</c> (record, results, bridge artifact) as soon as it finishes, and
/// <c>aggregate.json</c> / <c>aggregate.csv</c> summarise them at the end.
/// </summary>
public static class SeedRuns
{
    public const string AggregateFile = "aggregate.json", AggregateCsv = "aggregate.csv";

    public static string SeedFolder(string dir, int seed) => Path.Combine(dir, $"seed-{seed}");

    /// <summary>Fails before any work if <paramref name="dir"/> already holds results of a run.</summary>
    public static void Check(string dir)
    {
        if (File.Exists(Path.Combine(dir, AggregateFile)) || File.Exists(Path.Combine(dir, RunFolder.RecordFile)))
            throw new IOException($"{dir}: holds a finished run; runs are never overwritten, choose another folder");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new IOException($"{dir}: folder is not empty; expected a new or empty folder for the run");
    }

    public static AggregateRecord Run(ExperimentContext ctx, IReadOnlyList<int> seeds, string dir, IProgress<ProgressReport>? progress = null,
                                      Action<RunRecord, string>? extra = null)
    {
        if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
        Check(dir);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var records = new List<RunRecord>();
        foreach (var seed in seeds)
        {
            using var run = BridgeExperiment.Run(ctx, seed, progress);
            RunFolder.Write(run.Record, SeedFolder(dir, seed), staging =>
            {
                BridgeArtifact.Write(staging, ctx, run);
                extra?.Invoke(run.Record, staging);
            });
            records.Add(run.Record);
        }
        var aggregate = AggregateRecord.From(records, clock.Elapsed.TotalSeconds);
        Write(aggregate, dir);
        return aggregate;
    }

    public static AggregateRecord Read(string dir)
    {
        var path = Path.Combine(dir, AggregateFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no aggregate here", path);
        return JsonSerializer.Deserialize<AggregateRecord>(File.ReadAllText(path), RunRecord.Json) ?? throw new InvalidDataException($"{path}: empty aggregate");
    }

    // the two files appear complete or not at all (temporary names, then renames)
    private static void Write(AggregateRecord a, string dir)
    {
        foreach (var (file, text) in new[] { (AggregateFile, JsonSerializer.Serialize(a, RunRecord.Json)), (AggregateCsv, Csv(a)) })
            OutputFolder.WriteFile(Path.Combine(dir, file), text, overwrite: false);
    }

    /// <summary>One row per method and metric: mean, sample sd, and the per-seed values.</summary>
    public static string Csv(AggregateRecord a)
    {
        var sb = new StringBuilder("direction,data,method,input,trainable_parameters,metric,mean,sd,seeds,values\n");
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var (method, m) in a.Methods)
            foreach (var (metric, s) in m.Metrics)
                sb.AppendJoin(',', a.Direction, a.Synthetic ? "synthetic" : "real", method, m.Input, m.TrainableParameters?.ToString(CultureInfo.InvariantCulture) ?? "",
                              metric, F(s.Mean), s.Sd is double sd ? F(sd) : "", a.Seeds.Length, string.Join(' ', s.Values.Select(F))).Append('\n');
        return sb.ToString();
    }
}
