using System.Globalization;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge ablations</c>: the CLI twin of notebook 06 (rank, prototypes, pair fraction, fixed positions).</summary>
public static class AblationsCommand
{
    public static readonly OptionSpec[] Options =
    [
        .. ExperimentOptions.Options,
        new("ranks", "LIST", "bridge ranks to sweep (default 1,2,4,8,16; 'none' skips)"),
        new("prototype-counts", "LIST", "prototype counts to sweep (default 4,8,16,32,64)"),
        new("pair-fractions", "LIST", "fractions of the paired windows to sweep, in (0, 1] (default 0.2,0.4,0.6,0.8,1)"),
        new("seeds", "LIST", "training seeds per point (default 0; the paper averages 0,1,2,3,4)"),
        new("no-grid", null, "skip the 3×3 grid of fixed {first, middle, last} positions"),
        new("out", "DIR", "folder to create for ablations.json and ablations.csv (default runs/ablations-<time>)"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Sweeps the bridge around the selected positions on the frozen models of a direction (Figure 4): rank r,\n" +
        "prototype count N_p and the fraction of paired windows, plus the 3×3 grid of fixed positions (Table 2).\n" +
        "Writes ablations.json and ablations.csv; 'figures' draws them. Results are on SYNTHETIC data by default.";

    public static int Run(CliArgs a)
    {
        var cfg = ExperimentOptions.Config(a);
        var d = new AblationConfig();
        var ablation = new AblationConfig
        {
            Ranks = a.List("ranks", d.Ranks, r => r >= 1, "integers ≥ 1"),
            Prototypes = a.List("prototype-counts", d.Prototypes, p => p >= 1, "integers ≥ 1"),
            PairFractions = a.List("pair-fractions", d.PairFractions, f => f is > 0 and <= 1, "numbers in (0, 1]"),
            Seeds = a.List("seeds", d.Seeds, s => s >= 0, "integers ≥ 0"),
            PositionGrid = !a.Has("no-grid"),
        };
        var dir = a.String("out") ?? Path.Combine("runs", $"ablations-{DateTime.Now:yyyyMMdd-HHmmss}");
        RunFolder.Check(dir);
        var store = ExperimentOptions.Store(a);
        var record = ConsoleProgress.Run(a.Has("quiet"), p =>
        {
            using var ctx = ExperimentContext.Load(cfg, ExperimentOptions.Device(a), p, store);
            return Ablations.Run(ctx, ablation, p);
        });
        Ablations.Write(record, dir);

        var table = new Table().Title($"{record.Name}: bridges at m = {record.Positions.Input}, l = {record.Positions.Output} unless swept")
            .AddColumns("sweep", "r", "N_p", "pairs", "m", "l", "seed", "params", "BAcc %", "F1-M %");
        foreach (var p in record.Points)
            table.AddRow(p.Sweep, $"{p.Rank}", $"{p.Prototypes}", p.PairFraction.ToString("P0", CultureInfo.InvariantCulture), $"{p.InputPosition}",
                         $"{p.OutputPosition}", $"{p.Seed}", p.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture),
                         (100 * p.Metrics.BalancedAccuracy).ToString("F1", CultureInfo.InvariantCulture),
                         (100 * p.Metrics.F1Macro).ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[bold yellow]{record.DataNote}[/]");
        AnsiConsole.MarkupLineInterpolated($"written to {Path.GetFullPath(dir)} ({record.Seconds:F1} s)");
        return 0;
    }
}
