using System.Globalization;
using System.Text;
using System.Text.Json;
using BioXBridge.Bridge;

namespace BioXBridge.Experiments;

/// <summary>
/// The paper's ablations (Figure 4 and Table 2) at this experiment's scale: bridge rank r, prototype count N_p and the
/// fraction of paired windows, each swept alone around the configured bridge at the selected positions, and the 3×3
/// grid of fixed positions {first, middle, last} new block × old block. Empty arrays skip a sweep.
/// </summary>
public sealed record AblationConfig
{
    public int[] Ranks { get; init; } = [1, 2, 4, 8, 16];
    public int[] Prototypes { get; init; } = [4, 8, 16, 32, 64];
    public double[] PairFractions { get; init; } = [0.2, 0.4, 0.6, 0.8, 1.0];
    public bool PositionGrid { get; init; } = true;
    /// <summary>Training seeds; each point is trained once per seed (the paper averages five).</summary>
    public int[] Seeds { get; init; } = [0];
}

/// <summary>One trained bridge. <see cref="Sweep"/> is the sweep group: rank, prototypes, pair_fraction, positions, or any other.</summary>
public sealed record AblationPoint(string Sweep, int Rank, int Prototypes, double PairFraction, int InputPosition, int OutputPosition,
                                   int Seed, long TrainableParameters, int PairWindows, MetricValues Metrics, double Seconds);

/// <summary>Schema <c>bioxbridge.ablations/1</c>: every point, with what a reader needs to trust and repeat them.</summary>
public sealed record AblationRecord
{
    public string Schema { get; init; } = "bioxbridge.ablations/1";
    public required string Name { get; init; }
    public required string Dataset { get; init; }
    public required bool Synthetic { get; init; }
    public required string DataNote { get; init; }
    public required PositionRecord Positions { get; init; }
    public required int NewBlocks { get; init; }
    public required int OldBlocks { get; init; }
    public required IReadOnlyList<AblationPoint> Points { get; init; }
    public required IReadOnlyDictionary<string, string> Weights { get; init; }
    public required long PeakMemoryBytes { get; init; }
    public required double Seconds { get; init; }
    public required DateTime StartedUtc { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public required DirectionConfig Config { get; init; }
    public required AblationConfig Ablation { get; init; }

    public IEnumerable<AblationPoint> Sweep(string name) => Points.Where(p => p.Sweep == name);
}

public static class Ablations
{
    public const string RecordFile = "ablations.json", ResultsFile = "ablations.csv";
    public static readonly string[] Sweeps = ["rank", "prototypes", "pair_fraction", "positions"];

    /// <summary>{first, middle, last} positions: m ∈ 1..M (new block outputs), l ∈ 0..L−1 (old block inputs).</summary>
    public static int[] Thirds(int first, int last) => SweepPlan.Symbolic.Select(t => SweepPlan.Third(t, first, last)).ToArray();

    /// <summary>
    /// The ablations as a sweep file: one group per ablation (empty lists and a false grid leave theirs out), the bridge
    /// alone (KD off), at the selected positions unless the grid fixes them. <c>configs/sweeps/ablations.json</c> is
    /// this sweep for the defaults.
    /// </summary>
    public static SweepFile Sweep(AblationConfig a, string direction, string? name = null)
    {
        static System.Text.Json.Nodes.JsonNode?[] Nodes<T>(IEnumerable<T> v) => v.Select(x => System.Text.Json.Nodes.JsonValue.Create(x)).ToArray<System.Text.Json.Nodes.JsonNode?>();
        var groups = new List<SweepGroup>();
        void Add(string group, string field, System.Text.Json.Nodes.JsonNode?[] values)
        {
            if (values.Length > 0) groups.Add(new SweepGroup { Name = group, Axes = new() { [field] = values } });
        }
        Add("rank", "bridge.rank", Nodes(a.Ranks));
        Add("prototypes", "bridge.prototypes", Nodes(a.Prototypes));
        Add("pair_fraction", "bridge.pair_fraction", Nodes(a.PairFractions));
        if (a.PositionGrid)
            groups.Add(new SweepGroup { Name = "positions", Axes = new() { ["positions.input"] = Nodes(SweepPlan.Symbolic), ["positions.output"] = Nodes(SweepPlan.Symbolic) } });
        return new SweepFile
        {
            Name = name ?? "ablations", Direction = direction, Seeds = a.Seeds, Groups = groups,
            Description = "the paper's ablations (Figure 4, Table 2): rank, prototypes and paired-data fraction alone, and the 3×3 fixed positions",
            Set = new() { ["kd.enabled"] = false, ["kd_contrast.enabled"] = false },
        };
    }

    /// <summary>
    /// The ablation sweep of <paramref name="a"/> on the context's frozen models, in this process and in memory: every
    /// point once (a point two ablations share is trained once), positions selected once.
    /// </summary>
    public static AblationRecord Run(ExperimentContext ctx, AblationConfig a, IProgress<ProgressReport>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var direction = ctx.Config;
        var plan = SweepPlan.Of(Sweep(a, direction.Name, direction.Name + "-ablations"), direction);
        var results = new List<PointResult>();
        try
        {
            foreach (var p in plan.Points)
            {
                progress?.Report(new ProgressReport("ablations", results.Count, plan.Points.Count, p.Label));
                var (run, info) = SweepRunner.RunPoint(ctx, p, null, progress);
                using (run) results.Add(new PointResult(p, run.Record, info));
                progress?.Report(new ProgressReport("ablations", results.Count, plan.Points.Count,
                                                    $"balanced accuracy {run.Record.Methods["bridge"].Metrics.BalancedAccuracy:F3}"));
            }
        }
        finally { ctx.Retarget(direction); }
        return SweepResults.Ablations(plan, results, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Writes <c>ablations.json</c> and <c>ablations.csv</c> into a new folder (never over a finished one).</summary>
    public static void Write(AblationRecord r, string dir)
    {
        if (File.Exists(Path.Combine(dir, RecordFile)))
            throw new IOException($"{dir}: holds finished ablations ({RecordFile} exists); choose another folder");
        OutputFolder.Create(dir, "ablations", staging =>
        {
            File.WriteAllText(Path.Combine(staging, RecordFile), JsonSerializer.Serialize(r, RunRecord.Json));
            File.WriteAllText(Path.Combine(staging, ResultsFile), Csv(r));
        });
    }

    public static AblationRecord Read(string dir)
    {
        var path = Path.Combine(dir, RecordFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no ablation record here", path);
        return JsonSerializer.Deserialize<AblationRecord>(File.ReadAllText(path), RunRecord.Json)
               ?? throw new InvalidDataException($"{path}: empty ablation record");
    }

    /// <summary>One row per point; metrics as fractions; the <c>data</c> column repeats whether the data were synthetic.</summary>
    public static string Csv(AblationRecord r)
    {
        var sb = new StringBuilder("dataset,data,sweep,rank,prototypes,pair_fraction,input_position,output_position,seed,trainable_parameters,pair_windows,balanced_accuracy,f1_macro,f1_weighted,seconds\n");
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var p in r.Points)
            sb.AppendJoin(',', r.Dataset, r.Synthetic ? "synthetic" : "real", p.Sweep, p.Rank, p.Prototypes, F(p.PairFraction),
                          p.InputPosition, p.OutputPosition, p.Seed, p.TrainableParameters, p.PairWindows, F(p.Metrics.BalancedAccuracy),
                          F(p.Metrics.F1Macro), F(p.Metrics.F1Weighted), p.Seconds.ToString("F2", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}
