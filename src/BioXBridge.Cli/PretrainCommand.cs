using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge pretrain</c>: (re)trains a direction's frozen models and stores them as safetensors.</summary>
public static class PretrainCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("direction", "NAME|FILE", $"the direction whose frozen models to train (default {ExperimentOptions.DefaultDirection})"),
        new("set", "KEY=VALUE", "override a config field (repeatable)"),
        new("data-seed", "N", "seed of the synthetic dataset (default: the direction's)"),
        new("negative-control", null, "train the negative-control teacher instead"),
        new("out", "DIR", "folder for the .safetensors files (default: the user cache, ~/.cache/bioxbridge or $BIOXBRIDGE_CACHE);\n" +
                          "maintainers pass src/BioXBridge/Assets/pretrained to refresh the embedded copies"),
        new("device", "cpu|cuda", "torch device (default cpu)"),
        new("quiet", null, "no progress display"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Trains the two frozen models of a direction's synthetic twin and caches them: the new-modality encoder,\n" +
        "pre-trained without class labels on other synthetic subjects (heart rate and RR variability for ECG, band\n" +
        "powers otherwise), and the old-modality teacher, trained on the labelled train split. File names carry a hash\n" +
        "of everything that produced them, so 'run' and 'demo' pick them up.";

    public static int Run(CliArgs a)
    {
        var cfg = ExperimentOptions.Config(a);
        var store = new PretrainedStore(a.String("out"));
        var device = ExperimentOptions.Device(a);
        var weights = new Dictionary<string, string>();
        ConsoleProgress.Run(a.Has("quiet"), p =>
        {
            var data = DirectionData.Load(cfg);
            var (oldEntry, newEntry) = (Models.ModelZoo.Get(cfg.Old.Model), Models.ModelZoo.Get(cfg.New.Model));
            using var xNew = FrozenModels.ModelInputs(newEntry, data.Pair.Modality(cfg.New.Modality));
            // the negative control changes the data, not the label-free encoder: the normal run's encoder is reused
            using var encoder = FrozenModels.NewEncoder(cfg, xNew.shape[1..], store, device, weights, p, forceTrain: !cfg.Dataset.NegativeControl);
            using var xTrain = FrozenModels.ModelInputs(oldEntry, data.Train.Modality(cfg.Old.Modality));
            using var xVal = FrozenModels.ModelInputs(oldEntry, data.Val.Modality(cfg.Old.Modality));
            using var teacher = FrozenModels.Teacher(cfg, data, xTrain, xVal, store, device, weights, p, forceTrain: true);
            return 0;
        });
        foreach (var (k, v) in weights) AnsiConsole.MarkupLineInterpolated($"{k}: {v}");
        AnsiConsole.MarkupLineInterpolated($"written to {store.CacheDirectory}");
        return 0;
    }
}
