using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Experiments;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// One full-size direction as the benchmarks use it: both ports at the published widths with random weights, the
/// config's fixed positions (m, l), the bridge the paper's formula sizes, and random inputs of the real shapes. The
/// shapes come from a handful of the dataset's synthetic windows run through each model's input mapping, exactly as
/// <c>run --smoke</c> gets them; only timing and memory depend on the values, so random ones serve.
/// </summary>
public sealed class BenchRig : IDisposable
{
    public DirectionConfig Config { get; }
    public ZooEntry NewEntry { get; }
    public ZooEntry OldEntry { get; }
    /// <summary>One model input without the batch axis, new and old modality.</summary>
    public long[] NewShape { get; }
    public long[] OldShape { get; }
    public LayeredEncoder New { get; }
    public Classifier Old { get; }
    public int InputPosition { get; }
    public int OutputPosition { get; }
    public BridgeConfig BridgeShape { get; }
    public int Classes { get; }

    private BenchRig(DirectionConfig cfg, long[] newShape, long[] oldShape, int classes)
    {
        (Config, NewShape, OldShape, Classes) = (cfg, newShape, oldShape, classes);
        NewEntry = ModelZoo.Get(cfg.New.Model);
        OldEntry = ModelZoo.Get(cfg.Old.Model);
        manual_seed(0);
        New = NewEntry.Build(cfg.New.Size, newShape, cfg.New.Settings);
        Old = new Classifier(OldEntry.Build(cfg.Old.Size, oldShape, cfg.Old.Settings), classes);
        InputPosition = cfg.Positions.Input ?? throw new ArgumentException($"bench: direction '{cfg.Name}' has no fixed input position");
        OutputPosition = cfg.Positions.Output ?? throw new ArgumentException($"bench: direction '{cfg.Name}' has no fixed output position");
        BridgeShape = BridgeConfig.Between(New, newShape, InputPosition, Old.encoder, oldShape, OutputPosition, cfg.Bridge);
        // frozen and in eval mode, as every method finds them; KD unfreezes the new model itself
        New.Freeze();
        Old.encoder.Freeze();
        foreach (var p in Old.head.parameters()) p.requires_grad = false;
        Old.eval();
    }

    /// <summary>The direction's full-size config with random weights; its shapes from four synthetic windows.</summary>
    public static BenchRig Load(string direction)
    {
        var cfg = DirectionFiles.Load(direction);
        if (cfg.New.Size != ModelSize.Full || cfg.Old.Size != ModelSize.Full)
            throw new ArgumentException($"bench: direction '{direction}' is not a full-size direction; the benchmarks run the paper's six (see 'directions')");
        var pair = DirectionData.Load(cfg.Smoke()).Pair;
        using var xNew = FrozenModels.ModelInputs(ModelZoo.Get(cfg.New.Model), pair.Modality(cfg.New.Modality));
        using var xOld = FrozenModels.ModelInputs(ModelZoo.Get(cfg.Old.Model), pair.Modality(cfg.Old.Modality));
        return new BenchRig(cfg, xNew.shape[1..], xOld.shape[1..], pair.ClassNames.Count);
    }

    public Tensor NewInputs(int n) => randn([n, .. NewShape]);
    public Tensor OldInputs(int n) => randn([n, .. OldShape]);

    /// <summary>A fresh bridge (seeded) between the frozen models: what one training run starts from.</summary>
    public BridgedModel Bridged(long seed)
    {
        manual_seed(seed);
        return new BridgedModel(New, InputPosition, new PrototypeBridge(BridgeShape), Old, OutputPosition);
    }

    public void Dispose()
    {
        New.Dispose();
        Old.Dispose();
    }
}
