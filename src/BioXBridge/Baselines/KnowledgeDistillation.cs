using BioXBridge.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Baselines;

/// <summary>
/// KD and KD-Contrast settings. <see cref="ContrastWeight"/> 0 is plain KD (Hinton et al. 2015); above 0 it adds the
/// InfoNCE term of KD-Contrast (Abbaspourazad et al. 2024, with Brant-X's contrastive loss) between projected pooled
/// student and teacher features of the same pair, weighted by it. <see cref="Enabled"/> false skips the baseline.
/// <see cref="Selection"/> picks the checkpoint as for the bridge; its held-out loss is the KD term on the validation pairs.
/// </summary>
public sealed record DistillationConfig(int Epochs = 50, int BatchSize = 16, double LearningRate = 1e-4, double Temperature = 2.0,
                                        int EvalEvery = 5, double ContrastWeight = 0, int ProjectionDim = 128,
                                        double ContrastTemperature = 0.1, bool Enabled = true,
                                        CheckpointSelection Selection = CheckpointSelection.HeldOutLoss);

/// <summary>
/// Trains student = the whole new-modality encoder + a linear head on the paired set to match the teacher's
/// temperature-softened logits (KL divergence · T²); the teacher's logits and pooled features on x_old are fixed, so
/// they are computed once. With a contrast weight, two linear projections (student and teacher side) learn along.
/// </summary>
public static class KnowledgeDistillation
{
    /// <summary>What the epoch log's validation column holds under <paramref name="cfg"/>.</summary>
    public static string ValidationMetric(DistillationConfig cfg) => cfg.Selection.ValidationMetric("held-out distillation loss (KL · T²)");

    /// <summary>
    /// Returns the fit and the number of parameters trained (student, plus projections for KD-Contrast).
    /// <paramref name="valTeacherLogits"/> (the teacher on the validation pairs' old modality) is needed unless the
    /// checkpoint is selected with labels.
    /// </summary>
    public static (LoopResult Fit, long TrainableParameters) Train(Classifier student, Tensor pairNew, Tensor teacherLogits, Tensor? teacherPooled, Tensor valNew,
                                   Tensor? valTeacherLogits, int[] valLabels, int classes, DistillationConfig cfg, long seed, Device device,
                                   IProgress<ProgressReport>? progress = null, string? checkpoint = null)
    {
        bool contrast = cfg.ContrastWeight > 0;
        if (contrast && teacherPooled is null) throw new ArgumentNullException(nameof(teacherPooled), "KD-Contrast needs the teacher's pooled features");
        if (valTeacherLogits is null && cfg.Selection != CheckpointSelection.ValidationLabels)
            throw new ArgumentNullException(nameof(valTeacherLogits), $"checkpoint selection {cfg.Selection} needs the teacher's logits on the validation pairs");
        foreach (var p in student.parameters()) p.requires_grad = true;
        var x = pairNew.to(device);
        // constants as long-lived Scalars (see Scalars: a temporary one can be freed mid-call)
        var (invT, t2, weight, invTau) = (Scalars.Of(1 / cfg.Temperature), Scalars.Of(cfg.Temperature * cfg.Temperature),
                                          Scalars.Of(cfg.ContrastWeight), Scalars.Of(1 / cfg.ContrastTemperature));
        var soft = nn.functional.softmax(teacherLogits.to(device).mul(invT), 1);
        var valSoft = valTeacherLogits is null ? null : nn.functional.softmax(valTeacherLogits.to(device).mul(invT), 1);
        Tensor Kd(Tensor logits, Tensor target) =>
            nn.functional.kl_div(nn.functional.log_softmax(logits.mul(invT), 1), target, reduction: nn.Reduction.None).sum(1).mean().mul(t2);
        var trainable = new Distilled(student, contrast ? (int)teacherPooled!.shape[1] : 0, cfg.ProjectionDim);
        trainable.to(device);
        var features = contrast ? teacherPooled!.to(device) : null;
        var fit = TrainingLoop.Run(trainable, (int)x.shape[0],
            new LoopConfig(cfg.Epochs, cfg.BatchSize, cfg.LearningRate, cfg.EvalEvery, seed, cfg.Selection.Keep()),
            idx =>
            {
                var pooled = student.encoder.Pool(student.encoder.call(x[idx]));
                var kd = Kd(student.head.call(pooled), soft[idx]);
                return contrast ? kd + trainable.InfoNce(pooled, features![idx], invTau).mul(weight) : kd;
            },
            cfg.Selection == CheckpointSelection.ValidationLabels
                ? () => TeacherTraining.Evaluate(student, valNew, valLabels, classes, device).BalancedAccuracy
                : () =>
                {
                    // the KD term alone: InfoNCE depends on which windows share a batch, the KD term does not
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    var logits = Batches.Map(valNew, 32, device, student.call).to(device);
                    return Kd(logits, valSoft!).item<float>();
                },
            contrast ? "kd-contrast" : "kd", progress, checkpoint: checkpoint);
        long count = trainable.parameters().Sum(p => p.numel());
        trainable.DisposeProjections(); // the student lives on with the caller
        return (fit, count);
    }

    /// <summary>The trainable part: the student, plus for KD-Contrast the two projections into a shared space.</summary>
    private sealed class Distilled : nn.Module<Tensor, Tensor>
    {
        private readonly Classifier student;
        private readonly Linear? student_projection, teacher_projection;

        public Distilled(Classifier student, int teacherDim, int projectionDim) : base("distilled")
        {
            this.student = student;
            if (teacherDim > 0)
            {
                student_projection = nn.Linear(student.encoder.OutputDim, projectionDim);
                teacher_projection = nn.Linear(teacherDim, projectionDim);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => student.call(x);

        public void DisposeProjections()
        {
            student_projection?.Dispose();
            teacher_projection?.Dispose();
        }

        /// <summary>Symmetric InfoNCE: pair i's student and teacher projections are positives, the batch's others negatives.</summary>
        public Tensor InfoNce(Tensor studentPooled, Tensor teacherPooled, Scalar inverseTemperature)
        {
            var s = nn.functional.normalize(student_projection!.call(studentPooled), dim: 1);
            var t = nn.functional.normalize(teacher_projection!.call(teacherPooled), dim: 1);
            var logits = s.matmul(t.T).mul(inverseTemperature);
            var same = arange(logits.shape[0], device: logits.device);
            return stack([nn.functional.cross_entropy(logits, same), nn.functional.cross_entropy(logits.T, same)]).mean();
        }
    }
}
