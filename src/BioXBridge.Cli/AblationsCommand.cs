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
        new("out", "DIR", "sweep folder for the points, ablations.json/csv and sweep.csv (default runs/ablations-<time>);\n" +
                          "the same command on the same folder finishes what a killed run left"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Sweeps the bridge around the selected positions on the frozen models of a direction (Figure 4): rank r,\n" +
        "prototype count N_p and the fraction of paired windows, plus the 3×3 grid of fixed positions (Table 2).\n" +
        "A sweep (configs/sweeps/ablations.json is the default one; 'sweep run' runs it on workers or Slurm) run here:\n" +
        "writes the points, sweep.csv, ablations.json and ablations.csv; 'figures' draws them. SYNTHETIC data by default.";

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
        // the ablations are a sweep run by one worker here: the same folder, resume and collect as 'sweep run'
        var plan = SweepPlan.Of(Ablations.Sweep(ablation, a.String("direction") ?? ExperimentOptions.DefaultDirection, cfg.Name + "-ablations"), cfg);
        var folder = SweepFolder.Create(plan, a.String("out") ?? Path.Combine("runs", $"ablations-{DateTime.Now:yyyyMMdd-HHmmss}"));
        var todo = folder.Status().Where(s => s.State is PointState.Pending or PointState.Failed).Select(s => s.Point).ToList();
        var store = ExperimentOptions.Store(a);
        var tally = ConsoleProgress.Run(a.Has("quiet"), p => SweepRunner.Run(folder, todo, ExperimentOptions.Device(a), store, "(console)", progress: p));
        if (SweepResults.Collect(folder).Count == 0) throw new IOException($"{folder.Dir}: no point finished; 'sweep status {folder.Dir}' says why");
        var record = Ablations.Read(folder.Dir);
        var table = new Table().Title($"{record.Name}: bridges at m = {record.Positions.Input}, l = {record.Positions.Output} unless swept")
            .AddColumns("sweep", "r", "N_p", "pairs", "m", "l", "seed", "params", "BAcc %", "F1-M %");
        foreach (var p in record.Points)
            table.AddRow(p.Sweep, $"{p.Rank}", $"{p.Prototypes}", p.PairFraction.ToString("P0", CultureInfo.InvariantCulture), $"{p.InputPosition}",
                         $"{p.OutputPosition}", $"{p.Seed}", p.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture),
                         (100 * p.Metrics.BalancedAccuracy).ToString("F1", CultureInfo.InvariantCulture),
                         (100 * p.Metrics.F1Macro).ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[bold yellow]{record.DataNote}[/]");
        AnsiConsole.MarkupLineInterpolated($"written to {folder.Dir} ({record.Seconds:F1} s of training; {tally.Failed} point(s) failed)");
        return tally.Failed == 0 ? 0 : 1;
    }
}
