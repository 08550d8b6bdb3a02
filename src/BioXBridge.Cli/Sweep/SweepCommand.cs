using System.Globalization;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge sweep plan|run|status|collect|worker</c>: many trainings of one direction from a sweep file, run by
/// local worker processes or as a Slurm job array, resumable, collected into <c>sweep.csv</c> and the ablation figures.
/// </summary>
public static class SweepCommand
{
    public const string About =
        "Sweeps: many trainings of a direction as one file (configs/sweeps/, docs/sweeps.md). 'sweep plan FILE' lists the points\n" +
        "and their hashes; 'sweep run FILE --out DIR' runs them in local worker processes or as a Slurm job array; 'sweep status\n" +
        "DIR' says what is done, running, failed or pending; 'sweep collect DIR' writes DIR/sweep.csv and the ablation tables.";

    private static readonly OptionSpec Help = new("help", null, "show this help");

    private static readonly Dictionary<string, (string About, OptionSpec[] Options, Func<string, CliArgs, int> Run)> Sub = new()
    {
        ["plan"] = ("Lists the points of a sweep file (a path or a shipped name) with their content hashes and shared models.",
                    [Help], (file, _) => Plan(file)),
        ["run"] = ("Runs every point of a sweep that is not done yet into DIR (created, or reopened to finish the same plan).\n" +
                   "Points on the same frozen models run in one worker, which loads them once; trainings checkpoint at every\n" +
                   "evaluation and on SIGTERM, and a rerun of the same command resumes them. Finished points are never rerun.",
                   [.. SweepRun.Options, Help], SweepRun.Run),
        ["status"] = ("One line per point: done, running (where), failed (why, and its log) or pending (queued in Slurm).",
                      [Help], (dir, _) => Status(dir)),
        ["collect"] = ("Writes DIR/sweep.csv (a row per finished point) and DIR/ablations.json + .csv for 'figures'.\n" +
                       "A row holds the point's id, config hash, seed, axes and the bridge's test metrics.", [Help], (dir, _) => Collect(dir)),
        ["worker"] = ("Runs points of a sweep folder in this process (what 'sweep run' starts; not needed by hand).",
                      [.. SweepRun.WorkerOptions, Help], SweepRun.Worker),
    };

    public static int Dispatch(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.WriteLine("Usage: bioxbridge sweep <plan|run|status|collect> FILE|DIR [options]\n\n" + About + "\n\n" +
                              string.Join("\n", Sub.Select(s => $"  {s.Key,-8} {s.Value.About.Split('\n')[0]}")));
            return 0;
        }
        if (!Sub.TryGetValue(args[0], out var sub))
            throw new UsageException($"sweep: unknown sub-command '{args[0]}'; expected one of {string.Join(", ", Sub.Keys)}");
        var rest = args[1..];
        if (rest.Contains("--help") || rest.Length == 0 || rest[0].StartsWith("--", StringComparison.Ordinal))
        {
            if (!rest.Contains("--help")) throw new UsageException($"sweep {args[0]}: expected a {(args[0] is "plan" or "run" ? "sweep file" : "sweep folder")} first");
            Console.WriteLine(CliArgs.Help($"Usage: bioxbridge sweep {args[0]} {(args[0] is "plan" or "run" ? "FILE" : "DIR")} [options]", sub.About, sub.Options));
            return 0;
        }
        return sub.Run(rest[0], new CliArgs("sweep " + args[0], rest[1..], sub.Options));
    }

    private static int Plan(string file)
    {
        var plan = SweepPlan.Of(SweepFile.Load(file));
        var keys = plan.Points.Select(p => p.SharedKey).Distinct().ToList();
        var table = new Table().Title($"{plan.Sweep.Name}: {plan.Points.Count} points, plan {plan.Hash}")
            .AddColumns("#", "point", "groups", "values", "models");
        foreach (var p in plan.Points)
            table.AddRow($"{p.Index}", p.Id, string.Join(" ", p.Groups), Markup.Escape(p.Label), $"#{keys.IndexOf(p.SharedKey) + 1}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{keys.Count} set(s) of frozen models and cached features; points with one number share them (one load per worker)");
        AnsiConsole.MarkupLineInterpolated($"direction {plan.Base.Name}{(plan.Base.Synthetic ? " (SYNTHETIC data)" : "")}");
        return 0;
    }

    public static int Status(string dir)
    {
        var folder = SweepFolder.Open(dir);
        var status = SlurmArray.Annotate(folder, folder.Status());
        var table = new Table().Title($"{folder.Plan.Sweep.Name}: {Path.GetFullPath(dir)}").AddColumns("#", "point", "values", "state", "detail");
        foreach (var s in status)
            table.AddRow($"{s.Point.Index}", s.Point.Id, Markup.Escape(s.Point.Label), Colour(s.State),
                         Markup.Escape((s.Detail ?? "") + (s.State == PointState.Failed && s.Log is not null ? $" — log: {s.Log}" : "")));
        AnsiConsole.Write(table);
        Console.WriteLine(Counts(status));
        return 0;
    }

    public static string Counts(IReadOnlyList<PointStatus> status) =>
        string.Join(", ", Enum.GetValues<PointState>().Reverse().Select(s => $"{status.Count(x => x.State == s)} {s.ToString().ToLowerInvariant()}"));

    private static int Collect(string dir)
    {
        var folder = SweepFolder.Open(dir);
        var results = SweepResults.Collect(folder);
        var table = new Table().Title($"{folder.Plan.Sweep.Name}: {results.Count} of {folder.Plan.Points.Count} points finished")
            .AddColumns("point", "values", "m", "l", "params", "BAcc %", "F1-M %");
        foreach (var r in results)
        {
            var b = r.Record.Methods["bridge"];
            table.AddRow(r.Point.Id, Markup.Escape(r.Point.Label), $"{r.Record.Positions.Input}", $"{r.Record.Positions.Output}",
                         b.TrainableParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "", (100 * b.Metrics.BalancedAccuracy).ToString("F2", CultureInfo.InvariantCulture),
                         (100 * b.Metrics.F1Macro).ToString("F2", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        if (results.Count > 0) AnsiConsole.MarkupLineInterpolated($"[bold yellow]{results[0].Record.DataNote}[/]");
        var also = results.Count > 0 ? $" and {Ablations.RecordFile}, {Ablations.ResultsFile}" : "";
        AnsiConsole.MarkupLineInterpolated($"written {Path.Combine(folder.Dir, SweepResults.CsvFile)}{also}");
        return 0;
    }

    private static string Colour(PointState s) => s switch
    {
        PointState.Done => "[green]done[/]",
        PointState.Running => "[blue]running[/]",
        PointState.Failed => "[red]failed[/]",
        _ => "pending",
    };
}
