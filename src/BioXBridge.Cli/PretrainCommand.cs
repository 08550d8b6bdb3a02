using BioXBridge.Experiments;
using BioXBridge.Models;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge pretrain</c>: (re)trains the demo's frozen models and stores them as safetensors.</summary>
public static class PretrainCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("data-seed", "N", "seed of the synthetic dataset (default 0)"),
        new("negative-control", null, "train the negative-control teacher instead"),
        new("out", "DIR", "folder for the .safetensors files (default: the user cache, ~/.cache/bioxbridge or $BIOXBRIDGE_CACHE);\n" +
                          "maintainers pass src/BioXBridge/Assets/pretrained to refresh the embedded copies"),
        new("device", "cpu|cuda", "torch device (default cpu)"),
        new("quiet", null, "no progress display"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Trains the two frozen models of the synthetic demo and caches them: the ECG encoder, pre-trained without\n" +
        "class labels to regress heart rate and RR variability on other synthetic subjects, and the PPG teacher,\n" +
        "trained on the labelled train split. File names carry a hash of the recipe, so 'demo' picks them up.";

    public static int Run(CliArgs a)
    {
        var cfg = new ExperimentConfig
        {
            DataSeed = a.Int("data-seed", 0, 0),
            NegativeControl = a.Has("negative-control"),
            Device = a.String("device") ?? "cpu",
        };
        var store = new PretrainedStore(a.String("out"));
        var device = Devices.Parse(cfg.Device);
        var weights = new Dictionary<string, string>();
        ConsoleProgress.Run(a.Has("quiet"), p =>
        {
            PretrainedModels.NewEncoder(cfg, store, device, weights, p, forceTrain: true);
            PretrainedModels.Teacher(cfg, SynWesadData.Load(cfg), store, device, weights, p, forceTrain: true);
            return 0;
        });
        foreach (var (k, v) in weights) AnsiConsole.MarkupLineInterpolated($"{k}: {v}");
        AnsiConsole.MarkupLineInterpolated($"written to {store.CacheDirectory}");
        return 0;
    }
}
