using System.Globalization;
using BioXBridge.Experiments;
using BioXBridge.Reports;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge demo</c>: the whole method on the embedded synthetic default, written to a run folder.</summary>
public static class DemoCommand
{
    public static readonly OptionSpec[] Options =
    [
        .. ExperimentOptions.Options,
        new("seed", "N", "training seed: bridge init, batch order, KD, random baseline (default 0)"),
        new("out", "DIR", "run folder to create (default runs/demo-seed<N>-<time>); never overwrites a finished run"),
        new("kd-epochs", "N", "epochs of the KD and KD-Contrast baselines (kd.epochs, kd_contrast.epochs)"),
        new("no-kd", null, "skip the KD and KD-Contrast baselines (faster)"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Runs BioX-Bridge end to end on SynWESAD, a synthetic WESAD-like paired ECG/PPG set (no download):\n" +
        "PPG is the old, labelled modality (teacher: PaPaGei-style ResNet + linear head), ECG the new one\n" +
        "(HuBERT-ECG-style encoder pre-trained without labels). It selects the bridge positions, trains the\n" +
        "prototype bridge on paired unlabelled windows, and compares it with Oracle, Random and KD on the ECG\n" +
        "test subjects. Writes record.json, results.csv, report.html and the bridge (bridge.safetensors, bridge.json).\n" +
        "Results are on SYNTHETIC data. --direction runs any other direction the same way (one seed; 'run' does several).";

    public static int Run(CliArgs a)
    {
        var extra = new List<string>();
        if (a.Has("kd-epochs")) extra.AddRange(new[] { "kd.epochs", "kd_contrast.epochs" }.Select(k => $"{k}={a.Int("kd-epochs", 1, 1)}"));
        if (a.Has("no-kd")) extra.AddRange(["kd.enabled=false", "kd_contrast.enabled=false"]);
        var cfg = ExperimentOptions.Config(a, extra);
        int seed = a.Int("seed", 0, 0);
        var dir = a.String("out") ?? Path.Combine("runs", $"demo-seed{seed}-{DateTime.Now:yyyyMMdd-HHmmss}");
        RunFolder.Check(dir); // fail before minutes of work, not after
        var store = ExperimentOptions.Store(a);
        var record = ConsoleProgress.Run(a.Has("quiet"), p =>
        {
            using var ctx = ExperimentContext.Load(cfg, ExperimentOptions.Device(a), p, store);
            using var run = BridgeExperiment.Run(ctx, seed, p);
            RunFolder.Write(run.Record, dir, staging =>
            {
                BridgeArtifact.Write(staging, ctx, run);
                RunReport.Write(run.Record, staging);
            });
            return run.Record;
        });
        Print(record, dir);
        return 0;
    }

    public static void Print(RunRecord r, string dir)
    {
        var table = new Table().Title($"{r.Name}: {r.OldModality} (old) → {r.NewModality} (new), seed {r.Seed}")
            .AddColumns("method", "input", "trainable params", "BAcc %", "F1-M %", "F1-W %", "kappa", "s");
        foreach (var key in RunCharts.MethodOrder.Where(r.Methods.ContainsKey))
        {
            var m = r.Methods[key];
            string P(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);
            table.AddRow(key, m.Input, m.TrainableParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "–",
                P(m.Metrics.BalancedAccuracy), P(m.Metrics.F1Macro), P(m.Metrics.F1Weighted),
                m.Metrics.Kappa.ToString("F3", CultureInfo.InvariantCulture), m.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"positions: input m = {r.Positions.Input}, output l = {r.Positions.Output}");
        AnsiConsole.MarkupLineInterpolated($"[bold yellow]{r.DataNote}[/]");
        AnsiConsole.MarkupLineInterpolated($"run folder: {Path.GetFullPath(dir)} ({r.Seconds:F1} s, peak memory {r.PeakMemoryBytes / 1048576.0:F0} MiB)");
    }
}
