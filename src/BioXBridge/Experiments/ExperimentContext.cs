using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>What one bridge training produced: its result row, the module and path (for inspection), and the fit.</summary>
public sealed record BridgeOutcome(MethodResult Result, BridgeConfig Config, BridgedModel Model, LoopResult Fit, int PairWindows);

/// <summary>
/// The state every step of the method shares, loaded once: the split data as tensors and the two frozen models.
/// Each step of <see cref="BridgeExperiment"/> is a method here, so a notebook can run one step at a time, and the
/// ablations can train many bridges on the same frozen models. Pooled new-model features and old-model targets never
/// change, so they are computed once per input position and reused by every bridge trained at it.
/// </summary>
public sealed class ExperimentContext
{
    public const string OldModality = "ppg", NewModality = "ecg";

    public ExperimentConfig Config { get; }
    public Device Device { get; }
    public SplitData Data { get; }
    public int Classes => Data.Train.ClassNames.Count;
    /// <summary>Split name → (old-modality, new-modality) windows as (windows, channels, samples) tensors.</summary>
    public IReadOnlyDictionary<string, (Tensor Old, Tensor New)> X { get; }
    public HuBertEcg NewEncoder { get; }
    public Classifier Teacher { get; }
    /// <summary>Model role → where its weights came from and their SHA-256 (goes into the run record).</summary>
    public IReadOnlyDictionary<string, string> Weights => weights;

    private readonly Dictionary<string, string> weights = new();
    private readonly PretrainedStore store;
    private readonly Dictionary<int, Dictionary<string, Tensor>> pooled = new();
    private Tensor? targets;

    private ExperimentContext(ExperimentConfig cfg, PretrainedStore store, IProgress<ProgressReport>? progress)
    {
        (Config, this.store, Device) = (cfg, store, Devices.Parse(cfg.Device));
        progress?.Report(new ProgressReport("data", 0, 1, cfg.PreparedData is null ? "generating SynWESAD" : "reading " + cfg.PreparedData));
        Data = LoadData(cfg);
        progress?.Report(new ProgressReport("data", 1, 1, $"{Data.Named().Sum(s => s.Data.Count)} windows"));
        X = Data.Named().ToDictionary(s => s.Name, s => (Batches.ToTensor(s.Data.Modality(OldModality)),
                                                         Batches.ToTensor(s.Data.Modality(NewModality))));
        NewEncoder = PretrainedModels.NewEncoder(cfg, store, Device, weights, progress);
        Teacher = PretrainedModels.Teacher(cfg, Data, store, Device, weights, progress);
    }

    /// <summary>Data, split and both frozen models for <paramref name="cfg"/> (the models load from the store, or train once).</summary>
    public static ExperimentContext Load(ExperimentConfig cfg, IProgress<ProgressReport>? progress = null, PretrainedStore? store = null) =>
        new(cfg, store ?? new PretrainedStore(), progress);

    /// <summary>Says whether the numbers come from a synthetic stand-in, for every record, table and chart.</summary>
    public string DataNote => Data.Train.Synthetic
        ? $"SYNTHETIC stand-in data ({Data.Train.Dataset}{(Config.NegativeControl ? ", negative control" : "")}); not comparable to the paper's real-data results"
        : $"real data ({Data.Train.Dataset}, prepared at {Path.GetFileName(Config.PreparedData)})";

    /// <summary>The teacher on the old modality of the test subjects: the upper reference.</summary>
    public MethodResult Oracle() =>
        new(OldModality, null, MetricValues.From(TeacherTraining.Evaluate(Teacher, X["test"].Old, Data.Test.Labels, Classes, Device)), 0);

    /// <summary>Uniform random guesses on the test windows.</summary>
    public MethodResult Random(int seed) =>
        new(NewModality, null, MetricValues.From(ClassificationMetrics.Compute(Data.Test.Labels,
            RandomGuess.Predict(Data.Test.Count, Classes, seed), Classes)), 0);

    /// <summary>Both stages of position selection on the paired split (forward passes only), or the configured fixed positions.</summary>
    public PositionScores SelectPositions(IProgress<ProgressReport>? progress = null) =>
        Config is { InputPosition: int m, OutputPosition: int l }
            ? new PositionScores(m, l, [], [], Config.Criterion)
            : PositionSelector.Select(NewEncoder, Teacher, X["pair"].New, X["pair"].Old, Classes, Device, Config.Criterion, progress: progress);

    /// <summary>
    /// Trains one bridge from new block <paramref name="m"/> into old block <paramref name="l"/> with the config's
    /// rank, prototype count, prototype initialisation and training settings unless overridden, on all paired windows or a seeded random
    /// <paramref name="pairFraction"/> of them, and scores it on the test split.
    /// </summary>
    public BridgeOutcome TrainBridge(int m, int l, int? rank = null, int? prototypes = null, double pairFraction = 1,
                                     int? seed = null, IProgress<ProgressReport>? progress = null, PrototypeInit? init = null)
    {
        if (pairFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pairFraction), pairFraction, "pair fraction must be in (0, 1]");
        int s = seed ?? Config.Seed;
        var started = DateTime.UtcNow;
        manual_seed(s);
        var pairOld = X["pair"].Old;
        var oldShape = Teacher.encoder.BlockInputShape(l, pairOld.shape[1..]);
        var config = BridgeConfig.ForOldBlock(NewEncoder.OutputWidth(m, X["pair"].New.shape[1..]), rank ?? Config.Rank,
                                              prototypes ?? Config.Prototypes, oldShape, Teacher.encoder.Layout, init ?? Config.PrototypeInit);
        using var sampled = config.Init == PrototypeInit.Sampled
            ? PrototypeSampling.Sample(Teacher.encoder, l, pairOld, config.Prototypes, s, Device)
            : null;
        var bridge = new PrototypeBridge(config, sampled);
        bridge.to(Device);
        var model = new BridgedModel(NewEncoder, m, bridge, Teacher, l);
        var features = Pooled(model);
        targets ??= BridgeTrainer.CacheTargets(model, pairOld, Device);

        var (inputs, goals) = (features["pair"], targets);
        if (pairFraction < 1)
        {
            using var rows = tensor(PairSubset((int)inputs.shape[0], pairFraction, s));
            (inputs, goals) = (inputs[rows], goals[rows]);
        }
        var fit = BridgeTrainer.Train(model, inputs, goals, features["val"], Data.Val.Labels, Classes,
                                      Config.Bridge with { Seed = s }, Device, progress);
        var test = BridgeTrainer.Evaluate(model, features["test"], Data.Test.Labels, Classes, Device);
        var result = new MethodResult(NewModality, bridge.ParameterCount(), MetricValues.From(test),
                                      (DateTime.UtcNow - started).TotalSeconds, fit.History, fit.BestEpoch);
        return new BridgeOutcome(result, config, model, fit, (int)inputs.shape[0]);
    }

    /// <summary>Knowledge distillation: the whole pre-trained new encoder plus a head, trained on the teacher's logits.</summary>
    public MethodResult Distill(IProgress<ProgressReport>? progress = null)
    {
        var started = DateTime.UtcNow;
        var student = PretrainedModels.Student(Config, store, Device, Classes);
        var teacherLogits = Batches.Map(X["pair"].Old, 32, Device, Teacher.call);
        var kd = KnowledgeDistillation.Train(student, X["pair"].New, teacherLogits, X["val"].New, Data.Val.Labels, Classes,
                                             Config.Distillation with { Seed = Config.Seed }, Device, progress);
        var metrics = TeacherTraining.Evaluate(student, X["test"].New, Data.Test.Labels, Classes, Device);
        return new MethodResult(NewModality, student.parameters().Sum(p => p.numel()), MetricValues.From(metrics),
                                (DateTime.UtcNow - started).TotalSeconds, kd.History, kd.BestEpoch);
    }

    /// <summary>
    /// The rows of a seeded random subset of <paramref name="count"/> paired windows (sorted). The pair split carries
    /// no labels the method may use, so the subset cannot be stratified; every fraction of one seed nests in the next.
    /// </summary>
    public static long[] PairSubset(int count, double fraction, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new System.Random(seed).Shuffle(order);
        int keep = Math.Max(1, (int)Math.Round(fraction * count, MidpointRounding.AwayFromZero));
        return order.Take(keep).Order().Select(i => (long)i).ToArray();
    }

    private Dictionary<string, Tensor> Pooled(BridgedModel model)
    {
        if (!pooled.TryGetValue(model.InputPosition, out var f))
            pooled[model.InputPosition] = f = new[] { "pair", "val", "test" }
                .ToDictionary(s => s, s => BridgeTrainer.CacheInputs(model, X[s].New, Device));
        return f;
    }

    /// <summary>The config's split data alone: SynWESAD rendered in memory, or the prepared folder (checked to hold PPG and ECG).</summary>
    public static SplitData LoadData(ExperimentConfig cfg)
    {
        if (cfg.PreparedData is not string dir) return SynWesadData.Load(cfg);
        var data = PreparedData.Read(dir);
        var has = new[] { data.Train.First.Modality, data.Train.Second.Modality };
        if (!has.Contains(OldModality) || !has.Contains(NewModality))
            throw new InvalidDataException($"{Path.Combine(dir, PreparedData.ManifestFile)}: modalities are {string.Join(" and ", has)}; " +
                                           $"this experiment bridges {OldModality} (old) to {NewModality} (new): prepare wesad or synwesad");
        return data;
    }
}
