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

/// <summary>One trained bridge. <see cref="Sweep"/> is rank, prototypes, pair_fraction or positions.</summary>
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
    public static int[] Thirds(int first, int last) => [first, (first + last + 1) / 2, last];

    /// <summary>Selects positions once, then trains one bridge per sweep value and seed on the context's frozen models.</summary>
    public static AblationRecord Run(ExperimentContext ctx, AblationConfig a, IProgress<ProgressReport>? progress = null)
    {
        var started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var positions = ctx.SelectPositions(progress);
        var cfg = ctx.Config.Bridge;
        var plan = new List<(string Sweep, int Rank, int Prototypes, double Fraction, int M, int L)>();
        plan.AddRange(a.Ranks.Select(r => ("rank", r, cfg.Prototypes, 1.0, positions.Input, positions.Output)));
        plan.AddRange(a.Prototypes.Select(p => ("prototypes", cfg.Rank, p, 1.0, positions.Input, positions.Output)));
        plan.AddRange(a.PairFractions.Select(f => ("pair_fraction", cfg.Rank, cfg.Prototypes, f, positions.Input, positions.Output)));
        if (a.PositionGrid)
            foreach (var m in Thirds(1, ctx.NewEncoder.BlockCount))
                foreach (var l in Thirds(0, ctx.Teacher.encoder.BlockCount - 1))
                    plan.Add(("positions", cfg.Rank, cfg.Prototypes, 1.0, m, l));

        // a point shared by two sweeps (e.g. the configured rank at the full pair set) is trained once; only its numbers
        // are kept, so the bridge itself is freed at once and a long sweep does not grow memory
        var trained = new Dictionary<(int, int, double, int, int, int), (BridgeConfig Config, MethodResult Result, int PairWindows)>();
        var points = new List<AblationPoint>();
        int total = plan.Count * a.Seeds.Length, done = 0;
        foreach (var (sweep, rank, prototypes, fraction, m, l) in plan)
            foreach (var seed in a.Seeds)
            {
                progress?.Report(new ProgressReport("ablations", done, total, $"{sweep}: r={rank} Np={prototypes} pairs={fraction:P0} m={m} l={l} seed {seed}"));
                var key = (rank, prototypes, fraction, m, l, seed);
                if (!trained.TryGetValue(key, out var o))
                {
                    using var outcome = ctx.TrainBridge(m, l, seed, cfg with { Rank = rank, Prototypes = prototypes }, fraction);
                    trained[key] = o = (outcome.Config, outcome.Result, outcome.PairWindows);
                }
                points.Add(new AblationPoint(sweep, rank, prototypes, fraction, m, l, seed, o.Config.TrainableParameters,
                                             o.PairWindows, o.Result.Metrics, o.Result.Seconds));
                progress?.Report(new ProgressReport("ablations", ++done, total, $"{sweep}: balanced accuracy {o.Result.Metrics.BalancedAccuracy:F3}"));
            }

        return new AblationRecord
        {
            Name = ctx.Config.Name + "-ablations", Dataset = ctx.Data.Train.Dataset, Synthetic = ctx.Data.Train.Synthetic, DataNote = ctx.DataNote,
            Positions = PositionRecord.From(positions),
            NewBlocks = ctx.NewEncoder.BlockCount, OldBlocks = ctx.Teacher.encoder.BlockCount, Points = points,
            Weights = ctx.Weights.ToDictionary(), PeakMemoryBytes = RunEnvironment.PeakMemoryBytes(),
            Seconds = clock.Elapsed.TotalSeconds, StartedUtc = started, Versions = RunEnvironment.Versions(ctx.Device),
            Config = ctx.Config, Ablation = a,
        };
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
