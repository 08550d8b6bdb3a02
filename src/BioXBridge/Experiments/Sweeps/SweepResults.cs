using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BioXBridge.Experiments;

/// <summary>A finished point: its plan entry, run record and what the run measured about it.</summary>
public sealed record PointResult(SweepPoint Point, RunRecord Record, PointInfo Info);

/// <summary>
/// What <c>sweep collect</c> makes of a sweep folder: <c>sweep.csv</c>, one row per finished point, and the ablation
/// record (<c>ablations.json</c>, <c>ablations.csv</c>) that the figures and the reproduction report draw, each group of
/// the sweep one ablation. Both are views of the point folders, rewritten whole by every collect.
/// </summary>
public static class SweepResults
{
    public const string CsvFile = "sweep.csv";

    public static IReadOnlyList<PointResult> Read(SweepFolder folder) => folder.Plan.Points.Where(folder.IsDone).Select(p =>
    {
        var dir = folder.PointDir(p);
        var info = JsonSerializer.Deserialize<PointInfo>(File.ReadAllText(Path.Combine(dir, SweepFolder.PointFile)), RunRecord.Json)
                   ?? throw new InvalidDataException($"{dir}: empty {SweepFolder.PointFile}");
        return new PointResult(p, RunFolder.Read(dir), info);
    }).ToList();

    /// <summary>Writes <c>sweep.csv</c> and, when any point finished, the ablation record; returns the finished points.</summary>
    public static IReadOnlyList<PointResult> Collect(SweepFolder folder)
    {
        var results = Read(folder);
        OutputFolder.WriteFile(Path.Combine(folder.Dir, CsvFile), Csv(folder.Plan, results));
        if (results.Count > 0)
        {
            var ablations = Ablations(folder.Plan, results);
            OutputFolder.WriteFile(Path.Combine(folder.Dir, Experiments.Ablations.RecordFile), JsonSerializer.Serialize(ablations, RunRecord.Json));
            OutputFolder.WriteFile(Path.Combine(folder.Dir, Experiments.Ablations.ResultsFile), Experiments.Ablations.Csv(ablations));
        }
        return results;
    }

    /// <summary>
    /// One row per finished point: its id, groups, config hash (the resolved config without the seed: seeds of one
    /// config share it), seed, every axis of the sweep, the positions it trained at, and the bridge's test metrics
    /// (KD and KD-Contrast balanced accuracy where they ran). Metrics are fractions, written round-trip exact.
    /// </summary>
    public static string Csv(SweepPlan plan, IReadOnlyList<PointResult> results)
    {
        var axes = plan.Sweep.Groups.SelectMany(g => g.Axes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder("point,groups,config_hash,seed,")
            .AppendJoin(',', axes.Select(a => a.Replace('.', '_'))).Append(axes.Count > 0 ? "," : "")
            .Append("input_position,output_position,trainable_parameters,pair_windows,accuracy,balanced_accuracy,f1_macro,f1_weighted,kappa,")
            .Append("kd_balanced_accuracy,kd_contrast_balanced_accuracy,seconds,attempts,resumed,data\n");
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var r in results)
        {
            var bridge = r.Record.Methods["bridge"];
            string Other(string m) => r.Record.Methods.TryGetValue(m, out var x) ? F(x.Metrics.BalancedAccuracy) : "";
            var resumed = string.Join(" ", r.Record.Reused.Where(kv => kv.Key.StartsWith("resumed", StringComparison.Ordinal)).Select(kv => kv.Key));
            sb.AppendJoin(',', [r.Point.Id, string.Join(' ', r.Point.Groups), ConfigHash(r.Record.Config), r.Point.Seed.ToString(CultureInfo.InvariantCulture),
                                .. axes.Select(a => r.Point.Values.TryGetValue(a, out var v) ? v.Trim('"') : ""),
                                r.Record.Positions.Input.ToString(CultureInfo.InvariantCulture), r.Record.Positions.Output.ToString(CultureInfo.InvariantCulture),
                                bridge.TrainableParameters?.ToString(CultureInfo.InvariantCulture) ?? "", r.Info.PairWindows.ToString(CultureInfo.InvariantCulture),
                                F(bridge.Metrics.Accuracy), F(bridge.Metrics.BalancedAccuracy), F(bridge.Metrics.F1Macro), F(bridge.Metrics.F1Weighted),
                                F(bridge.Metrics.Kappa), Other("kd"), Other("kd_contrast"), bridge.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                                r.Info.Attempt.ToString(CultureInfo.InvariantCulture), resumed, r.Record.Synthetic ? "synthetic" : "real"]).Append('\n');
        }
        return sb.ToString();
    }

    public static string ConfigHash(DirectionConfig c) => SweepPlan.Sha(DirectionFiles.ToJson(c));

    /// <summary>
    /// The sweep as an ablation record: one <see cref="AblationPoint"/> per point and group it belongs to. The positions
    /// it reports are those of a point that selected them (not fixed), as the paper's Figure 4 marks them.
    /// </summary>
    public static AblationRecord Ablations(SweepPlan plan, IReadOnlyList<PointResult> results, double? seconds = null)
    {
        var first = results[0];
        var selected = results.FirstOrDefault(r => r.Point.Config.Positions.Input is null && r.Point.Input is null) ?? first;
        var byId = results.ToDictionary(r => r.Point.Id);
        var points = plan.Members.SelectMany(g => g.Value.Where(byId.ContainsKey).Select(id =>
        {
            var r = byId[id];
            var (b, s) = (r.Record.Methods["bridge"], r.Record.Config.Bridge);
            return new AblationPoint(g.Key, s.Rank, s.Prototypes, s.PairFraction, r.Record.Positions.Input, r.Record.Positions.Output, r.Point.Seed,
                                     b.TrainableParameters ?? 0, r.Info.PairWindows, b.Metrics, b.Seconds);
        })).ToList();
        T[] Values<T>(string group, Func<AblationPoint, T> f) => points.Where(p => p.Sweep == group).Select(f).Distinct().ToArray();
        return new AblationRecord
        {
            Name = plan.Sweep.Name, Dataset = first.Record.Dataset, Synthetic = first.Record.Synthetic, DataNote = first.Record.DataNote,
            Positions = selected.Record.Positions, NewBlocks = first.Info.NewBlocks, OldBlocks = first.Info.OldBlocks, Points = points,
            Weights = first.Record.Weights, PeakMemoryBytes = results.Max(r => r.Record.PeakMemoryBytes),
            Seconds = seconds ?? results.Sum(r => r.Record.Seconds), StartedUtc = results.Min(r => r.Record.StartedUtc),
            Versions = first.Record.Versions, Config = plan.Base,
            Ablation = new AblationConfig
            {
                Ranks = Values("rank", p => p.Rank), Prototypes = Values("prototypes", p => p.Prototypes),
                PairFractions = Values("pair_fraction", p => p.PairFraction), PositionGrid = points.Any(p => p.Sweep == "positions"),
                Seeds = plan.Sweep.Seeds,
            },
        };
    }
}
