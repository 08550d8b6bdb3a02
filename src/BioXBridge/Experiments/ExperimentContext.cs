using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>What one bridge training produced: its result row, the module and path, and the fit. Disposing frees the bridge.</summary>
public sealed record BridgeOutcome(MethodResult Result, BridgeConfig Config, BridgedModel Model, LoopResult Fit, int PairWindows) : IDisposable
{
    public void Dispose() => Model.Bridge.Dispose();
}

/// <summary>
/// The state every step of the method shares for one direction, loaded once: the split data as model inputs and the
/// two frozen models. Each step is a method here, so a notebook can run one step at a time, seeds can share the frozen
/// models, and sweeps can train many bridges on them. Nothing here names a model: the zoo entries of the direction's
/// roles supply input transforms and layouts. Pooled new-model features and old-model targets never change, so they are
/// computed once per input position and reused by every bridge trained there; with <see cref="Frozen"/> they, the
/// selected positions and the oracle are also kept on disk for the next process. The context owns every tensor it holds.
/// </summary>
public sealed class ExperimentContext : IDisposable
{
    public DirectionConfig Config { get; private set; }
    public Device Device { get; }
    public SplitData Data { get; }
    public int Classes => Data.Train.ClassNames.Count;
    public string OldModality => Config.Old.Modality;
    public string NewModality => Config.New.Modality;
    /// <summary>Split name → (old-model input, new-model input) for every window, on the CPU.</summary>
    public IReadOnlyDictionary<string, (Tensor Old, Tensor New)> X { get; }
    public LayeredEncoder NewEncoder { get; }
    public Classifier Teacher { get; }
    /// <summary>Model role → where its weights came from and their SHA-256 (goes into the run record).</summary>
    public IReadOnlyDictionary<string, string> Weights => weights;
    /// <summary>
    /// Where bridge and KD trainings keep their checkpoints (a sweep point's <c>attempts/ID/checkpoints</c>); null keeps none.
    /// A training whose checkpoint is there continues from it. The teacher and the pre-trained encoder checkpoint beside
    /// their cached weights (<see cref="PretrainedStore.LoadOrTrain"/>) whatever this says.
    /// </summary>
    public string? CheckpointFolder { get; set; }
    /// <summary>What later steps took from earlier ones instead of recomputing it (positions, cached features), for the record.</summary>
    public IReadOnlyDictionary<string, string> Reused => reused;
    /// <summary>Where this context's frozen-model outputs are kept for other processes (<see cref="FrozenOutputs"/>); null keeps none.</summary>
    public FrozenOutputs? Frozen { get; }

    /// <summary>
    /// Alignment targets larger than this many bytes are kept in a memory-mapped float32 file instead of in memory
    /// (<see cref="BridgeTrainer.CacheTargets"/>), one per split; the files are deleted with the context.
    /// </summary>
    public long TargetMemoryBudget { get; set; } = 2L << 30;
    /// <summary>The memory-mapped targets files there are now.</summary>
    public IReadOnlyList<string> SpillFiles => spillFiles.Where(File.Exists).ToList();
    private readonly List<string> spillFiles = new();

    private readonly Dictionary<string, string> weights = new(), reused = new();
    private readonly PretrainedStore store;
    private readonly Dictionary<int, Dictionary<string, Tensor>> pooled = new();
    private readonly Dictionary<string, Tensor> targets = new(), teacherLogits = new();
    private Tensor? teacherPooled;
    private PositionScores? positions;
    private MethodResult? oracle;

    private ExperimentContext(DirectionConfig cfg, Device device, PretrainedStore store, IProgress<ProgressReport>? progress, SplitData? data,
                              bool keepFrozenOutputs)
    {
        (Config, Device, this.store, Key) = (cfg, device, store, SharedKey(cfg));
        progress?.Report(new ProgressReport("data", 0, 1, cfg.Dataset.Prepared is null ? $"generating {cfg.Dataset.Name}" : "reading " + cfg.Dataset.Prepared));
        Data = data ?? DirectionData.Load(cfg);
        var (oldEntry, newEntry) = (ModelZoo.Get(cfg.Old.Model), ModelZoo.Get(cfg.New.Model));
        X = Data.Named().ToDictionary(s => s.Name, s => (FrozenModels.ModelInputs(oldEntry, s.Data.Modality(OldModality)),
                                                         FrozenModels.ModelInputs(newEntry, s.Data.Modality(NewModality))));
        progress?.Report(new ProgressReport("data", 1, 1, $"{Data.Named().Sum(s => s.Data.Count)} windows"));
        NewEncoder = FrozenModels.NewEncoder(cfg, X["pair"].New.shape[1..], store, device, weights, progress, notes: reused);
        Teacher = FrozenModels.Teacher(cfg, Data, X["train"].Old, X["val"].Old, store, device, weights, progress, notes: reused);
        if (keepFrozenOutputs) Frozen = new FrozenOutputs(store.CacheDirectory, FrozenOutputs.Key(Key, DataHashes, weights, device));
    }

    /// <summary>
    /// Data, split and both frozen models of <paramref name="cfg"/> (the models load from the store, or train once).
    /// <paramref name="data"/> passes windows already loaded with <see cref="DirectionData.Load"/> for this config.
    /// <paramref name="keepFrozenOutputs"/> false neither reads nor writes the store's <see cref="FrozenOutputs"/>.
    /// </summary>
    public static ExperimentContext Load(DirectionConfig cfg, Device? device = null, IProgress<ProgressReport>? progress = null,
                                         PretrainedStore? store = null, SplitData? data = null, bool keepFrozenOutputs = true) =>
        new(cfg, device ?? CPU, store ?? new PretrainedStore(), progress, data, keepFrozenOutputs);

    /// <summary>
    /// What the frozen models, cached features and selected positions depend on: the config without what is trained on
    /// them (bridge, KD, KD-Contrast) and without fixed positions. Configs with one key can share one context.
    /// </summary>
    public static string SharedKey(DirectionConfig c) => PretrainedStore.FileName("context", c with
    {
        Name = "", Description = null, Bridge = new(), Kd = new(), KdContrast = new(), Positions = c.Positions with { Input = null, Output = null },
    });

    /// <summary>
    /// Points the context at another config with the same <see cref="SharedKey"/> (a sweep point: another rank, loss,
    /// pair fraction, fixed positions): everything loaded and cached stays valid, the steps read the new settings.
    /// </summary>
    public void Retarget(DirectionConfig cfg)
    {
        if (SharedKey(cfg) != Key)
            throw new ArgumentException($"{cfg.Name}: differs from the loaded {Config.Name} in its data, models, pre-training or selection settings; load a new context for it");
        Config = cfg;
    }

    /// <summary>This context's <see cref="SharedKey"/> (fixed: <see cref="Retarget"/> keeps it).</summary>
    public string Key { get; }

    /// <summary>Split name → <see cref="SplitData.Hash"/>, hashed once (the frozen outputs' key and every run record use them).</summary>
    public IReadOnlyDictionary<string, string> DataHashes => dataHashes ??= Data.Named().ToDictionary(s => s.Name, s => SplitData.Hash(s.Data));
    private Dictionary<string, string>? dataHashes;

    /// <summary>Says whether the numbers come from a synthetic stand-in, and any leakage of the split (the release's
    /// window-level FOG split), for every record, table and chart.</summary>
    public string DataNote => (Data.Train.Synthetic
        ? $"SYNTHETIC stand-in data ({Data.Train.Dataset}{(Config.Dataset.NegativeControl ? ", negative control" : "")}); not comparable to the paper's real-data results"
        : $"real data ({Data.Train.Dataset}, prepared at {Path.GetFileName(Config.Dataset.Prepared)})")
        + (Data.Leakage is string leak ? "; " + leak : "");

    /// <summary>The teacher on the old modality of the test subjects: the upper reference. Seedless, so computed once.</summary>
    public MethodResult Oracle()
    {
        if (oracle is not null) return oracle;
        if (Frozen?.Json<MethodResult>("oracle") is { } kept)
        {
            reused["oracle"] = Frozen.Note("the teacher's test metrics");
            return oracle = kept;
        }
        oracle = new(OldModality, null, MetricValues.From(TeacherTraining.Evaluate(Teacher, X["test"].Old, Data.Test.Labels, Classes, Device)), 0);
        Frozen?.KeepJson("oracle", oracle);
        return oracle;
    }

    /// <summary>Uniform random guesses on the test windows.</summary>
    public MethodResult Random(int seed) =>
        new(NewModality, null, MetricValues.From(ClassificationMetrics.Compute(Data.Test.Labels,
            RandomGuess.Predict(Data.Test.Count, Classes, seed), Classes)), 0);

    /// <summary>
    /// Both stages of position selection on the paired split (forward passes only), or the configured fixed positions.
    /// Selection uses no seed, so it runs once per context and later calls reuse it.
    /// </summary>
    public PositionScores SelectPositions(IProgress<ProgressReport>? progress = null)
    {
        var p = Config.Positions;
        if (p is { Input: int m, Output: int l }) return new PositionScores(m, l, [], [], p.Options());
        if (positions is not null)
        {
            reused["positions"] = "selected once in this process and shared by every seed";
            return positions;
        }
        if (Frozen?.Json<PositionRecord>("positions") is { } kept)
        {
            reused["positions"] = Frozen.Note("both stages' scores and the chosen positions");
            progress?.Report(new ProgressReport("positions", 1, 1, $"m = {kept.Input}, l = {kept.Output}, read from the kept outputs of an earlier run"));
            return positions = new PositionScores(kept.Input, kept.Output, kept.Stage1, kept.Stage2, p.Options());
        }
        Tensor? chosen = null;
        positions = PositionSelector.Select(NewEncoder, Teacher, X["pair"].New, X["pair"].Old, Classes, Device, p.Options(), progress, t => chosen = t);
        Frozen?.KeepJson("positions", PositionRecord.From(positions));
        // stage 1's pooled features at the chosen m are the paired windows' bridge inputs there (Pooled adds val and test)
        if (chosen is not null)
        {
            Frozen?.Keep(PooledName(positions.Input, "pair"), chosen);
            if (!pooled.TryAdd(positions.Input, new() { ["pair"] = chosen })) chosen.Dispose();
        }
        return positions;
    }

    /// <summary>The bridge module for positions (m, l) and these settings (N_l, d_l from the old block's input shape).</summary>
    public BridgeConfig BridgeShape(int m, int l, BridgeSettings s) =>
        BridgeConfig.Between(NewEncoder, X["pair"].New.shape[1..], m, Teacher.encoder, X["pair"].Old.shape[1..], l, s);

    /// <summary>
    /// Trains one bridge from new block <paramref name="m"/> into old block <paramref name="l"/> with the config's bridge
    /// settings unless overridden, on all paired windows or a seeded random <see cref="BridgeSettings.PairFraction"/> of
    /// them, and scores it on the test split. The caller owns (and disposes) the outcome.
    /// </summary>
    public BridgeOutcome TrainBridge(int m, int l, int seed, BridgeSettings? settings = null, IProgress<ProgressReport>? progress = null)
    {
        var s = settings ?? Config.Bridge;
        double pairFraction = s.PairFraction;
        if (pairFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(settings), pairFraction, "pair fraction must be in (0, 1]");
        var started = DateTime.UtcNow;
        manual_seed(seed);
        var config = BridgeShape(m, l, s);
        using var sampled = config.Init == PrototypeInit.Sampled
            ? PrototypeSampling.Sample(Teacher.encoder, l, X["pair"].Old, config.Prototypes, seed, Device)
            : null;
        var bridge = new PrototypeBridge(config, sampled);
        bridge.to(Device);
        var model = new BridgedModel(NewEncoder, m, bridge, Teacher, l);
        var features = Pooled(model);
        var (inputs, goals) = (features["pair"], Targets(model, "pair"));
        var valGoals = s.Selection == CheckpointSelection.ValidationLabels ? null : Targets(model, "val");
        using var rows = pairFraction < 1 ? tensor(PairSubset((int)inputs.shape[0], pairFraction, seed)) : null;
        using var subsetInputs = rows is null ? null : inputs[rows];
        using var subsetGoals = rows is null ? null : goals[rows];
        var fit = BridgeTrainer.Train(model, subsetInputs ?? inputs, subsetGoals ?? goals, features["val"], valGoals, Data.Val.Labels, Classes,
                                      s, seed, Device, progress, Checkpoint("bridge", seed, new { m, l, s }));
        FrozenModels.Resumed(reused, "bridge", fit);
        var test = BridgeTrainer.Evaluate(model, features["test"], Data.Test.Labels, Classes, Device);
        var result = new MethodResult(NewModality, bridge.ParameterCount(), MetricValues.From(test),
                                      (DateTime.UtcNow - started).TotalSeconds, fit.History, fit.BestEpoch,
                                      s.Selection, BridgeTrainer.ValidationMetric(s));
        return new BridgeOutcome(result, config, model, fit, (int)(subsetInputs ?? inputs).shape[0]);
    }

    /// <summary>The old model's last-block outputs on one split (alignment targets), computed once per process.</summary>
    private Tensor Targets(BridgedModel model, string split)
    {
        if (targets.TryGetValue(split, out var t))
        {
            reused[$"targets_{split}"] = $"old-model targets on the {split} split, computed once in this process";
            return t;
        }
        // kept targets are read into memory: over the memory budget they are computed into a memory-mapped file instead
        return targets[split] = KeptOrComputed($"targets-{split}", TargetMemoryBudget,
            () => reused[$"targets_{split}_kept"] = Frozen!.Note($"old-model targets on the {split} split"),
            () =>
            {
                var file = Path.Combine(Path.GetTempPath(), $"bioxbridge-targets-{split}-{Environment.ProcessId}-{Guid.NewGuid():N}.f32");
                spillFiles.Add(file);
                return BridgeTrainer.CacheTargets(model, X[split].Old, Device, TargetMemoryBudget, file);
            });
    }

    /// <summary>A tensor <see cref="Frozen"/> holds (<paramref name="read"/> notes it), else <paramref name="compute"/>'s, kept for the next process.</summary>
    private Tensor KeptOrComputed(string name, long maxBytes, Action read, Func<Tensor> compute)
    {
        if (Frozen?.Tensor(name, maxBytes) is { } kept) { read(); return kept; }
        var t = compute();
        Frozen?.Keep(name, t);
        return t;
    }

    /// <summary>
    /// KD (or, with a contrast weight, KD-Contrast): the whole pre-trained new encoder plus a head, trained on the
    /// teacher's logits (and features); trainable parameters include everything trained.
    /// </summary>
    public MethodResult Distill(DistillationConfig cfg, int seed, IProgress<ProgressReport>? progress = null)
    {
        var started = DateTime.UtcNow;
        using var student = FrozenModels.Student(Config, X["pair"].New.shape[1..], store, Device, Classes, seed);
        Tensor Logits(string split) => teacherLogits.TryGetValue(split, out var t) ? t : teacherLogits[split] = Batches.Map(X[split].Old, 32, Device, Teacher.call);
        if (cfg.ContrastWeight > 0) teacherPooled ??= Batches.Map(X["pair"].Old, 32, Device, x => Teacher.encoder.Pool(Teacher.encoder.call(x)));
        var valLogits = cfg.Selection == CheckpointSelection.ValidationLabels ? null : Logits("val");
        var (fit, trained) = KnowledgeDistillation.Train(student, X["pair"].New, Logits("pair"), teacherPooled, X["val"].New, valLogits,
                                                         Data.Val.Labels, Classes, cfg, seed, Device, progress,
                                                         Checkpoint(cfg.ContrastWeight > 0 ? "kd_contrast" : "kd", seed, cfg));
        FrozenModels.Resumed(reused, cfg.ContrastWeight > 0 ? "kd_contrast" : "kd", fit);
        var metrics = TeacherTraining.Evaluate(student, X["test"].New, Data.Test.Labels, Classes, Device);
        return new MethodResult(NewModality, trained, MetricValues.From(metrics), (DateTime.UtcNow - started).TotalSeconds, fit.History, fit.BestEpoch,
                                cfg.Selection, KnowledgeDistillation.ValidationMetric(cfg));
    }

    /// <summary>A training's checkpoint file in <see cref="CheckpointFolder"/>, named by what it trains so two never share one.</summary>
    private string? Checkpoint(string what, int seed, object settings) => CheckpointFolder is null ? null
        : Path.Combine(CheckpointFolder, $"{what}-seed{seed}-{SweepPlan.Sha(System.Text.Json.JsonSerializer.Serialize(settings, RunRecord.Json))}.ckpt");

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
        int m = model.InputPosition;
        string[] splits = ["pair", "val", "test"];
        if (!pooled.TryGetValue(m, out var f)) pooled[m] = f = new();
        else if (f.Count == splits.Length)
            reused[$"features_m{m}"] = $"pooled new-model features at m = {m}, computed once in this process";
        else
            reused[$"features_m{m}_pair"] = "pooled new-model features on the paired split, from stage 1 of position selection";
        var kept = new List<string>();
        foreach (var s in splits.Where(s => !f.ContainsKey(s)))
            f[s] = KeptOrComputed(PooledName(m, s), long.MaxValue, () => kept.Add(s), () => BridgeTrainer.CacheInputs(model, X[s].New, Device));
        if (kept.Count > 0) reused[$"features_m{m}_kept"] = Frozen!.Note($"pooled new-model features at m = {m} on {string.Join(", ", kept)}");
        return f;
    }

    private static string PooledName(int m, string split) => $"pooled-m{m}-{split}";

    public void Dispose()
    {
        foreach (var (o, n) in X.Values) { o.Dispose(); n.Dispose(); }
        foreach (var t in pooled.Values.SelectMany(d => d.Values)) t.Dispose();
        foreach (var t in targets.Values.Concat(teacherLogits.Values)) t.Dispose();
        teacherPooled?.Dispose();
        foreach (var f in SpillFiles) File.Delete(f);
        NewEncoder.Dispose();
        Teacher.Dispose();
    }
}
