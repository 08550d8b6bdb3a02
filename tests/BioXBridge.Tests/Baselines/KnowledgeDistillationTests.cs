using BioXBridge.Baselines;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Baselines;

public class KnowledgeDistillationTests
{
    private static (Classifier Student, Tensor X, Tensor Logits, int[] Labels) Setup()
    {
        manual_seed(4);
        var student = new Classifier(new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 2 }), 3);
        var x = randn(20, 1, 1000);
        var logits = randn(20, 3).mul(3);
        return (student, x, logits, Enumerable.Range(0, 20).Select(i => i % 3).ToArray());
    }

    [Fact]
    public void LabelFreeSelectionKeepsTheEpochWithTheLowestHeldOutKdLoss()
    {
        var (student, x, logits, labels) = Setup();
        var cfg = new DistillationConfig(Epochs: 6, BatchSize: 4, LearningRate: 1e-3, EvalEvery: 2);
        var (fit, _) = KnowledgeDistillation.Train(student, x[..14], logits[..14], null, x[14..], logits[14..], labels[14..], 3, cfg, 0, CPU);
        var scored = fit.History.Where(e => e.Validation is not null).ToList();
        Assert.Equal([2, 4, 6], scored.Select(e => e.Epoch));
        Assert.Equal(scored.MinBy(e => e.Validation!.Value)!.Epoch, fit.BestEpoch);
        // KL · T² of softened distributions: positive, and far from the balanced-accuracy range a label rule would log
        Assert.All(scored, e => Assert.True(e.Validation > 0));
        Assert.Equal("held-out distillation loss (KL · T²)", KnowledgeDistillation.ValidationMetric(cfg));
    }

    [Fact]
    public void OnlyTheLabelRuleWorksWithoutTheTeachersValidationLogits()
    {
        var (student, x, logits, labels) = Setup();
        var cfg = new DistillationConfig(Epochs: 1, BatchSize: 8);
        Assert.Throws<ArgumentNullException>(() =>
            KnowledgeDistillation.Train(student, x[..14], logits[..14], null, x[14..], null, labels[14..], 3, cfg, 0, CPU));
        var (fit, _) = KnowledgeDistillation.Train(student, x[..14], logits[..14], null, x[14..], null, labels[14..], 3,
                                                   cfg with { Selection = CheckpointSelection.ValidationLabels }, 0, CPU);
        Assert.Equal(TeacherTraining.Evaluate(student, x[14..], labels[14..], 3, CPU).BalancedAccuracy, fit.BestValidation, 12);
    }
}
