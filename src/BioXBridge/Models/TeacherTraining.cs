using BioXBridge.Evaluation;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Teacher training on labelled old-modality data (paper §4): cross-entropy, optionally weighted by inverse class
/// count, Adam, validation balanced accuracy every 5 epochs. A frozen encoder makes it a linear probe.
/// </summary>
public sealed record TeacherConfig(int Epochs = 50, int BatchSize = 32, double LearningRate = 1e-4,
                                   bool FineTuneEncoder = true, double[]? ClassCounts = null);

public static class TeacherTraining
{
    public static LoopResult Train(Classifier teacher, Tensor xTrain, int[] yTrain, Tensor xVal, int[] yVal,
                                   TeacherConfig cfg, long seed, Device device, IProgress<ProgressReport>? progress = null,
                                   string? checkpoint = null)
    {
        if (!cfg.FineTuneEncoder) teacher.encoder.Freeze();
        int classes = (int)teacher.head.parameters().Last().shape[0];
        using var y = tensor(yTrain.Select(v => (long)v).ToArray()).to(device);
        using var weights = cfg.ClassCounts is null ? null
            : tensor(cfg.ClassCounts.Select(c => (float)(cfg.ClassCounts.Sum() / (classes * c))).ToArray()).to(device);
        var x = xTrain.to(device);
        return TrainingLoop.Run(teacher, yTrain.Length,
            new LoopConfig(cfg.Epochs, cfg.BatchSize, cfg.LearningRate, Seed: seed),
            idx => nn.functional.cross_entropy(teacher.call(x[idx]), y[idx], weight: weights),
            () => Evaluate(teacher, xVal, yVal, classes, device).BalancedAccuracy,
            "teacher", progress,
            setModes: m => { m.train(); if (!cfg.FineTuneEncoder) teacher.encoder.eval(); }, checkpoint: checkpoint);
    }

    public static ClassificationMetrics Evaluate(Classifier model, Tensor x, int[] y, int classes, Device device)
    {
        model.eval();
        var predicted = Batches.ArgMax(Batches.Map(x, 64, device, model.call));
        return ClassificationMetrics.Compute(y, predicted, classes);
    }
}
