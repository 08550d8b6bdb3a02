using System.Globalization;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge demo</c>: the whole method on the embedded synthetic default, written to a run folder.</summary>
public static class DemoCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("seed", "N", "training seed: bridge init, batch order, KD, random baseline (default 0)"),
        new("data-seed", "N", "seed of the synthetic dataset, its split, teacher and encoder (default 0)"),
        new("out", "DIR", "run folder to create (default runs/demo-seed<N>-<time>); never overwrites a finished run"),
        new("epochs", "N", "bridge training epochs (default 30)"),
        new("rank", "R", "bridge rank r (default 4)"),
        new("prototypes", "N", "number of bridge prototypes N_p (default 16)"),
        new("lr", "X", "bridge learning rate (default 0.003)"),
        new("prototype-init", "gaussian|sampled", "prototypes start as N(0,1) (release scripts, default) or as real old-model tokens (paper)"),
        new("kd-epochs", "N", "knowledge-distillation baseline epochs (default 10)"),
        new("device", "cpu|cuda", "torch device (default cpu; cuda needs the CUDA build, see environment.md)"),
        new("threads", "N", "torch CPU threads (default: all cores)"),
        new("negative-control", null, "class lives only in PPG morphology, invisible to ECG: transfer must stay at chance"),
        new("no-kd", null, "skip the KD baseline (faster)"),
        new("retrain", null, "retrain the cached teacher and pre-trained encoder instead of loading them"),
        new("quiet", null, "no progress display"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Runs BioX-Bridge end to end on SynWESAD, a synthetic WESAD-like paired ECG/PPG set (no download):\n" +
        "PPG is the old, labelled modality (teacher: PaPaGei-style ResNet + linear head), ECG the new one\n" +
        "(HuBERT-ECG-style encoder pre-trained without labels). It selects the bridge positions, trains the\n" +
        "prototype bridge on paired unlabelled windows, and compares it with Oracle, Random and KD on the ECG\n" +
        "test subjects. Writes record.json, results.csv and report.html. Results are on SYNTHETIC data.";

    public static int Run(CliArgs a)
    {
        var defaults = new ExperimentConfig();
        int seed = a.Int("seed", 0, 0);
        var cfg = defaults with
        {
            Name = a.Has("negative-control") ? "synwesad-negative-control" : defaults.Name,
            Seed = seed,
            DataSeed = a.Int("data-seed", 0, 0),
            NegativeControl = a.Has("negative-control"),
            Device = a.String("device") ?? "cpu",
            Rank = a.Int("rank", defaults.Rank, 1),
            Prototypes = a.Int("prototypes", defaults.Prototypes, 1),
            PrototypeInit = a.Enum("prototype-init", defaults.PrototypeInit),
            Bridge = defaults.Bridge with { Epochs = a.Int("epochs", defaults.Bridge.Epochs, 1),
                                            LearningRate = a.Double("lr", defaults.Bridge.LearningRate) },
            Distillation = defaults.Distillation with { Epochs = a.Int("kd-epochs", defaults.Distillation.Epochs, 1) },
            RunDistillation = !a.Has("no-kd"),
        };
        if (a.Has("threads")) TorchSharp.torch.set_num_threads(a.Int("threads", 1, 1));
        var dir = a.String("out") ?? Path.Combine("runs", $"demo-seed{seed}-{DateTime.Now:yyyyMMdd-HHmmss}");
        RunFolder.Check(dir); // fail before minutes of work, not after

        var store = new PretrainedStore();
        if (a.Has("retrain"))
        {
            // the training side of LoadOrTrain runs when nothing is found, so point it at an empty cache
            store = new PretrainedStore(Path.Combine(Path.GetTempPath(), $"bioxbridge-retrain-{Environment.ProcessId}"));
        }
        var record = ConsoleProgress.Run(a.Has("quiet"), p => BridgeExperiment.Run(cfg, p, store));
        RunFolder.Write(record, dir);
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
