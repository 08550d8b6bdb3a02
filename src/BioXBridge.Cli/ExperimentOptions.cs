using BioXBridge.Experiments;

namespace BioXBridge.Cli;

/// <summary>The options that build an <see cref="ExperimentConfig"/>, shared by every command that runs part of the method.</summary>
public static class ExperimentOptions
{
    public static readonly OptionSpec[] Options =
    [
        new("seed", "N", "training seed: bridge init, batch order, KD, random baseline (default 0)"),
        new("data-seed", "N", "seed of the synthetic dataset, its split, teacher and encoder (default 0)"),
        new("data", "DIR", "prepared data from 'data prepare wesad|synwesad' instead of the in-memory SynWESAD"),
        new("new-weights", "FILE", "safetensors of the new-modality (ECG) encoder instead of the stored recipe"),
        new("teacher-weights", "FILE", "safetensors of the teacher (PPG encoder + head) instead of the stored recipe"),
        new("epochs", "N", "bridge training epochs (default 30)"),
        new("rank", "R", "bridge rank r (default 4)"),
        new("prototypes", "N", "number of bridge prototypes N_p (default 16)"),
        new("lr", "X", "bridge learning rate (default 0.003)"),
        new("prototype-init", "gaussian|sampled", "prototypes start as N(0,1) (release scripts, default) or as real old-model tokens (paper)"),
        new("device", "cpu|cuda", "torch device (default cpu; cuda needs the CUDA build, see environment.md)"),
        new("threads", "N", "torch CPU threads (default: all cores)"),
        new("negative-control", null, "class lives only in PPG morphology, invisible to ECG: transfer must stay at chance"),
        new("retrain", null, "retrain the cached teacher and pre-trained encoder instead of loading them"),
        new("quiet", null, "no progress display"),
    ];

    public static ExperimentConfig Config(CliArgs a)
    {
        var defaults = new ExperimentConfig();
        if (a.Has("threads")) TorchSharp.torch.set_num_threads(a.Int("threads", 1, 1));
        return defaults with
        {
            Name = a.Has("negative-control") ? "synwesad-negative-control" : a.Has("data") ? Path.GetFileName(Path.TrimEndingDirectorySeparator(a.String("data")!)) + "-ppg-to-ecg" : defaults.Name,
            Seed = a.Int("seed", 0, 0),
            DataSeed = a.Int("data-seed", 0, 0),
            NegativeControl = a.Has("negative-control"),
            PreparedData = a.String("data") is string d ? Path.GetFullPath(d) : null,
            NewEncoderWeights = a.String("new-weights"),
            TeacherWeights = a.String("teacher-weights"),
            Device = a.String("device") ?? "cpu",
            Rank = a.Int("rank", defaults.Rank, 1),
            Prototypes = a.Int("prototypes", defaults.Prototypes, 1),
            PrototypeInit = a.Enum("prototype-init", defaults.PrototypeInit),
            Bridge = defaults.Bridge with { Epochs = a.Int("epochs", defaults.Bridge.Epochs, 1),
                                            LearningRate = a.Double("lr", defaults.Bridge.LearningRate) },
        };
    }

    /// <summary>The weight store; <c>--retrain</c> points it at an empty cache, so the training side of LoadOrTrain runs.</summary>
    public static PretrainedStore Store(CliArgs a) => a.Has("retrain")
        ? new PretrainedStore(Path.Combine(Path.GetTempPath(), $"bioxbridge-retrain-{Environment.ProcessId}"))
        : new PretrainedStore();
}
