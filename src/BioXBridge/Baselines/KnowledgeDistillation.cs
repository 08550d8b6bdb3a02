using BioXBridge.Evaluation;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Baselines;

/// <summary>KD (Hinton et al. 2015) as the paper's baseline: the whole new-modality student is trainable.</summary>
public sealed record DistillationConfig(int Epochs = 50, int BatchSize = 16, double LearningRate = 1e-4,
                                        double Temperature = 2.0, int EvalEvery = 5, long Seed = 0);

/// <summary>
/// Trains student = new encoder + linear head on the paired set to match the teacher's temperature-softened logits
/// (KL divergence · T²). Teacher logits on x_old are fixed, so they are computed once.
/// </summary>
public static class KnowledgeDistillation
{
    public static LoopResult Train(Classifier student, Tensor pairNew, Tensor teacherLogits, Tensor valNew, int[] valLabels,
                                   int classes, DistillationConfig cfg, Device device, IProgress<ProgressReport>? progress = null)
    {
        foreach (var p in student.parameters()) p.requires_grad = true;
        var x = pairNew.to(device);
        var soft = nn.functional.softmax(teacherLogits.to(device) / cfg.Temperature, 1);
        double t2 = cfg.Temperature * cfg.Temperature;
        return TrainingLoop.Run(student, (int)x.shape[0],
            new LoopConfig(cfg.Epochs, cfg.BatchSize, cfg.LearningRate, cfg.EvalEvery, cfg.Seed),
            idx => nn.functional.kl_div(nn.functional.log_softmax(student.call(x[idx]) / cfg.Temperature, 1), soft[idx],
                                        reduction: nn.Reduction.Sum) * t2 / idx.shape[0],
            () => TeacherTraining.Evaluate(student, valNew, valLabels, classes, device).BalancedAccuracy,
            "kd", progress);
    }
}
