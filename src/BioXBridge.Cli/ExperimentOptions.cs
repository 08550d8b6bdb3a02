using System.Text.Json;
using BioXBridge.Experiments;
using BioXBridge.Models;

namespace BioXBridge.Cli;

/// <summary>
/// The options that choose and adjust a direction config, shared by every command that runs part of the method. Each
/// convenience flag is a named <c>--set</c> (applied before the user's own, which win), so the resolved config written
/// into the run says exactly what ran.
/// </summary>
public static class ExperimentOptions
{
    public const string DefaultDirection = "synwesad-ppg-to-ecg";

    public static readonly OptionSpec[] Options =
    [
        new("direction", "NAME|FILE", $"a shipped direction ('bioxbridge directions' lists them) or a direction JSON file (default {DefaultDirection})"),
        new("set", "KEY=VALUE", "override any config field, e.g. --set bridge.rank=8 --set kd.epochs=20 (repeatable; values are JSON or text)"),
        new("data", "DIR", "prepared data from 'data prepare' instead of the direction's own (dataset.prepared)"),
        new("new-weights", "FILE", "safetensors of the new-modality encoder (new.weights) instead of pre-training it here"),
        new("old-weights", "FILE", "safetensors of the old-modality encoder, or of a whole trained teacher (old.weights)"),
        new("teacher-weights", "FILE", "same as --old-weights"),
        new("data-seed", "N", "seed of the synthetic dataset, its split and the frozen models trained on it (dataset.seed)"),
        new("negative-control", null, "the class lives only in the old modality: transfer must stay at chance (dataset.negative_control)"),
        new("epochs", "N", "bridge training epochs (bridge.epochs)"),
        new("rank", "R", "bridge rank r (bridge.rank)"),
        new("prototypes", "N", "number of bridge prototypes N_p (bridge.prototypes)"),
        new("lr", "X", "bridge learning rate (bridge.learning_rate)"),
        new("prototype-init", "gaussian|sampled", "prototypes start as N(0,1) (release scripts) or as real old-model tokens (paper)"),
        new("device", "cpu|cuda", "torch device (default cpu; cuda needs the CUDA build, see environment.md)"),
        new("threads", "N", "torch CPU threads (default: all cores)"),
        new("retrain", null, "retrain the cached teacher and pre-trained encoder instead of loading them"),
        new("quiet", null, "no progress display"),
    ];

    /// <summary>The direction named by <c>--direction</c> with every flag and <c>--set</c> applied.</summary>
    public static DirectionConfig Config(CliArgs a, IEnumerable<string>? extra = null, string? direction = null)
    {
        if (a.Has("threads")) TorchSharp.torch.set_num_threads(a.Int("threads", 1, 1));
        var sets = new List<string>();
        void Set(string key, object value) => sets.Add($"{key}={JsonSerializer.Serialize(value)}");
        if (a.Has("data-seed")) Set("dataset.seed", a.Int("data-seed", 0, 0));
        if (a.Has("negative-control")) Set("dataset.negative_control", true);
        if (a.Has("epochs")) Set("bridge.epochs", a.Int("epochs", 1, 1));
        if (a.Has("rank")) Set("bridge.rank", a.Int("rank", 1, 1));
        if (a.Has("prototypes")) Set("bridge.prototypes", a.Int("prototypes", 1, 1));
        if (a.Has("lr")) Set("bridge.learning_rate", a.Double("lr", 1));
        if (a.Has("prototype-init")) Set("bridge.prototype_init", a.Enum("prototype-init", Bridge.PrototypeInit.Gaussian).ToString().ToLowerInvariant());
        sets.AddRange(extra ?? []);
        sets.AddRange(a.Strings("set"));
        return DirectionFiles.Load(direction ?? a.String("direction") ?? DefaultDirection, a.String("data"), a.String("new-weights"),
                                   a.String("old-weights") ?? a.String("teacher-weights"), [.. sets]);
    }

    public static TorchSharp.torch.Device Device(CliArgs a) => Devices.Parse(a.String("device") ?? "cpu");

    /// <summary>The weight store; <c>--retrain</c> points it at an empty cache, so the training side of LoadOrTrain runs.</summary>
    public static PretrainedStore Store(CliArgs a) => a.Has("retrain")
        ? new PretrainedStore(Path.Combine(Path.GetTempPath(), $"bioxbridge-retrain-{Environment.ProcessId}"))
        : new PretrainedStore();
}
