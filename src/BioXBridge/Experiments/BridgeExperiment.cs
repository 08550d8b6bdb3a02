using System.Diagnostics;
using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// The whole method on one paired dataset, in the paper's order: data and split → pre-trained new encoder and
/// teacher → two-stage position selection → bridge training → the same test set for Oracle, Random, KD and the bridge.
/// Returns the run record; <see cref="RunFolder"/> writes it.
/// </summary>
public static class BridgeExperiment
{
    public const string OldModality = "ppg", NewModality = "ecg";

    public static RunRecord Run(ExperimentConfig cfg, IProgress<ProgressReport>? progress = null, PretrainedStore? store = null)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var device = Devices.Parse(cfg.Device);
        store ??= new PretrainedStore();

        // 1. data: synthetic WESAD-like sessions through the paper's preprocessing, split by subject
        progress?.Report(new ProgressReport("data", 0, 1, "generating SynWESAD"));
        var data = SynWesadData.Load(cfg);
        int classes = data.Train.ClassNames.Count;
        progress?.Report(new ProgressReport("data", 1, 1, $"{data.Named().Sum(s => s.Data.Count)} windows"));
        var x = data.Named().ToDictionary(s => s.Name, s => (Old: Batches.ToTensor(s.Data.Modality(OldModality)),
                                                               New: Batches.ToTensor(s.Data.Modality(NewModality))));

        // 2. frozen models: the new encoder pre-trained without labels, the teacher trained on labelled old data
        var weights = new Dictionary<string, string>();
        var newEncoder = PretrainedModels.NewEncoder(cfg, store, device, weights, progress);
        var teacher = PretrainedModels.Teacher(cfg, data, store, device, weights, progress);

        var methods = new Dictionary<string, MethodResult>();
        var watch = Stopwatch.StartNew();
        var oracle = TeacherTraining.Evaluate(teacher, x["test"].Old, data.Test.Labels, classes, device);
        methods["oracle"] = new MethodResult(OldModality, null, MetricValues.From(oracle), watch.Elapsed.TotalSeconds);

        var guesses = RandomGuess.Predict(data.Test.Count, classes, cfg.Seed);
        methods["random"] = new MethodResult(NewModality, null,
            MetricValues.From(ClassificationMetrics.Compute(data.Test.Labels, guesses, classes)), 0);

        // 3. positions (forward passes only, on the paired set)
        watch.Restart();
        var positions = cfg.InputPosition is int fixedM && cfg.OutputPosition is int fixedL
            ? new PositionScores(fixedM, fixedL, [], [], cfg.Criterion)
            : PositionSelector.Select(newEncoder, teacher, x["pair"].New, x["pair"].Old, classes, device, cfg.Criterion, progress: progress);
        double selectionSeconds = watch.Elapsed.TotalSeconds;

        // 4. the bridge, trained on cached features
        watch.Restart();
        manual_seed(cfg.Seed);
        var oldShape = teacher.encoder.BlockInputShape(positions.Output, x["pair"].Old.shape[1..]);
        int inputWidth = newEncoder.OutputWidth(positions.Input, x["pair"].New.shape[1..]);
        var bridgeConfig = BridgeConfig.ForOldBlock(inputWidth, cfg.Rank, cfg.Prototypes, oldShape,
                                                    teacher.encoder.Layout, cfg.PrototypeInit);
        using var sampled = cfg.PrototypeInit == PrototypeInit.Sampled
            ? PrototypeSampling.Sample(teacher.encoder, positions.Output, x["pair"].Old, cfg.Prototypes, cfg.Seed, device)
            : null;
        var bridge = new PrototypeBridge(bridgeConfig, sampled);
        bridge.to(device);
        var model = new BridgedModel(newEncoder, positions.Input, bridge, teacher, positions.Output);
        var pairInputs = BridgeTrainer.CacheInputs(model, x["pair"].New, device);
        var pairTargets = BridgeTrainer.CacheTargets(model, x["pair"].Old, device);
        var valInputs = BridgeTrainer.CacheInputs(model, x["val"].New, device);
        var fit = BridgeTrainer.Train(model, pairInputs, pairTargets, valInputs, data.Val.Labels, classes,
                                      cfg.Bridge with { Seed = cfg.Seed }, device, progress);
        var bridged = BridgeTrainer.Evaluate(model, BridgeTrainer.CacheInputs(model, x["test"].New, device), data.Test.Labels, classes, device);
        methods["bridge"] = new MethodResult(NewModality, bridge.ParameterCount(), MetricValues.From(bridged),
                                             watch.Elapsed.TotalSeconds + selectionSeconds, fit.History, fit.BestEpoch);

        // 5. KD: the whole new encoder as a trainable student
        if (cfg.RunDistillation)
        {
            watch.Restart();
            var student = PretrainedModels.Student(cfg, store, device, classes);
            var teacherLogits = Batches.Map(x["pair"].Old, 32, device, teacher.call);
            var kd = KnowledgeDistillation.Train(student, x["pair"].New, teacherLogits, x["val"].New, data.Val.Labels, classes,
                                                 cfg.Distillation with { Seed = cfg.Seed }, device, progress);
            var kdMetrics = TeacherTraining.Evaluate(student, x["test"].New, data.Test.Labels, classes, device);
            methods["kd"] = new MethodResult(NewModality, student.parameters().Sum(p => p.numel()), MetricValues.From(kdMetrics),
                                             watch.Elapsed.TotalSeconds, kd.History, kd.BestEpoch);
        }

        return new RunRecord
        {
            Name = cfg.Name,
            Seed = cfg.Seed,
            Dataset = data.Train.Dataset,
            Synthetic = data.Train.Synthetic,
            DataNote = data.Train.Synthetic
                ? "SYNTHETIC stand-in data (SynWESAD" + (cfg.NegativeControl ? ", negative control" : "") + "); not comparable to the paper's real-data results"
                : "real data",
            OldModality = OldModality,
            NewModality = NewModality,
            ClassNames = data.Train.ClassNames.ToArray(),
            Positions = new PositionRecord(positions.Input, positions.Output, positions.Stage1, positions.Stage2,
                                           positions.Criterion.ToString()),
            Methods = methods,
            Splits = data.Named().ToDictionary(s => s.Name, s => new SplitRecord(
                s.Data.Subjects.Distinct().ToArray(), s.Data.Count,
                Enumerable.Range(0, classes).Select(c => s.Data.Labels.Count(l => l == c)).ToArray(), SplitData.Hash(s.Data))),
            Weights = weights,
            PeakMemoryBytes = RunEnvironment.PeakMemoryBytes(),
            Seconds = clock.Elapsed.TotalSeconds,
            StartedUtc = started,
            Versions = RunEnvironment.Versions(device),
            Config = cfg,
        };
    }
}
