using System.Globalization;
using BioXBridge.Experiments;
using BioXBridge.Reports;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge run</c>: one or more directions over seeds, one immutable folder per seed plus an aggregate.</summary>
public static class RunCommand
{
    public static readonly OptionSpec[] Options =
    [
        .. ExperimentOptions.Options,
        new("seeds", "LIST", "training seeds, e.g. 0-4 or 0,2 (default 0); the frozen models and positions are shared by all"),
        new("out", "DIR", "folder to create (default runs/run-<time>); several directions get one sub-folder each"),
        new("smoke", null, "full-size models with random weights on a handful of synthetic windows of the real shapes, one epoch:\n" +
                           "proves every step runs at full size (minutes on a CPU; the numbers mean nothing)"),
        new("no-kd", null, "skip the KD and KD-Contrast baselines"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Runs directions end to end over seeds: data and frozen models once, then per seed position selection (shared),\n" +
        "the bridge, Oracle, Random, KD and KD-Contrast, each seed written to DIR/seed-N/ (record.json, results.csv,\n" +
        "report.html, bridge.safetensors + bridge.json) as it finishes, and DIR/aggregate.json + aggregate.csv (mean ± sample\n" +
        "sd per method and metric). --direction takes a name, a file, a comma list, 'twins' (the six synthetic twins) or\n" +
        "'paper' (the six full-size directions, which need the real data and weights: see 'bioxbridge directions').";

    public static int Run(CliArgs a)
    {
        var names = Expand(a.String("direction") ?? ExperimentOptions.DefaultDirection);
        var seeds = a.Range("seeds", [0]);
        var root = a.String("out") ?? Path.Combine("runs", $"run-{DateTime.Now:yyyyMMdd-HHmmss}");
        var extra = a.Has("no-kd") ? new[] { "kd.enabled=false", "kd_contrast.enabled=false" } : [];
        // every config is read and every folder checked before the first minute of work
        var plan = names.Select(n =>
        {
            var cfg = ExperimentOptions.Config(a, extra, n);
            if (a.Has("smoke")) cfg = cfg.Smoke();
            var dir = names.Count == 1 ? root : Path.Combine(root, cfg.Name);
            SeedRuns.Check(dir);
            return (Config: cfg, Dir: dir);
        }).ToList();
        // a smoke run's full-size teachers (up to half a gigabyte each) are not worth keeping: they go to a throw-away cache
        var smokeCache = a.Has("smoke") ? Directory.CreateTempSubdirectory("bioxbridge-smoke-").FullName : null;
        var store = smokeCache is null ? ExperimentOptions.Store(a) : new PretrainedStore(smokeCache);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (cfg, dir) in plan)
        {
            var aggregate = ConsoleProgress.Run(a.Has("quiet"), p =>
            {
                using var ctx = ExperimentContext.Load(cfg, ExperimentOptions.Device(a), p, store);
                return SeedRuns.Run(ctx, seeds, dir, p, RunReport.Write);
            });
            Print(aggregate, dir);
        }
        if (smokeCache is not null) Directory.Delete(smokeCache, recursive: true);
        AnsiConsole.MarkupLineInterpolated($"{plan.Count} direction(s) × {seeds.Length} seed(s) in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>A comma list of names or files; 'twins' and 'paper' stand for the six synthetic and the six full-size directions.</summary>
    public static IReadOnlyList<string> Expand(string spec) => spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .SelectMany(n => n switch
        {
            "twins" => DirectionFiles.Names().Where(d => d.StartsWith("syn", StringComparison.Ordinal)),
            "paper" => DirectionFiles.Names().Where(d => !d.StartsWith("syn", StringComparison.Ordinal)),
            _ => [n],
        }).Distinct().ToList();

    public static void Print(AggregateRecord r, string dir)
    {
        string P(Summary s) => (100 * s.Mean).ToString("F2", CultureInfo.InvariantCulture) + (s.Sd is double sd ? " ± " + (100 * sd).ToString("F2", CultureInfo.InvariantCulture) : "");
        var table = new Table().Title($"{r.Name}: {r.OldModality} (old) → {r.NewModality} (new), seeds {string.Join(",", r.Seeds)}")
            .AddColumns("method", "input", "trainable params", "BAcc %", "F1-M %", "F1-W %", "s / seed");
        foreach (var key in RunCharts.MethodOrder.Where(r.Methods.ContainsKey))
        {
            var m = r.Methods[key];
            table.AddRow(key, m.Input, m.TrainableParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "–",
                         P(m.Metrics["balanced_accuracy"]), P(m.Metrics["f1_macro"]), P(m.Metrics["f1_weighted"]),
                         m.Seconds.Mean.ToString("F1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"positions (m, l) per seed: {string.Join(" ", r.Positions.Select(p => $"({p[0]}, {p[1]})"))}");
        AnsiConsole.MarkupLineInterpolated($"[bold yellow]{r.DataNote}[/]");
        AnsiConsole.MarkupLineInterpolated($"written to {Path.GetFullPath(dir)} ({r.Seconds:F1} s, peak memory {r.PeakMemoryBytes / 1048576.0:F0} MiB)");
    }
}
