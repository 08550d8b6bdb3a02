using BioXBridge.Bridge;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Bridge;

public class BridgeTrainerTests
{
    private static (BridgedModel Model, Tensor New, Tensor Old, int[] Labels) Setup(long seed)
    {
        manual_seed(seed);
        var newEncoder = new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 2 });
        var teacher = new Classifier(new PaPaGei(PaPaGeiConfig.Tiny), 3);
        var xNew = randn(24, 1, 1000);
        var xOld = randn(24, 1, 1000);
        var labels = Enumerable.Range(0, 24).Select(i => i % 3).ToArray();
        int l = 12;
        var shape = teacher.encoder.BlockInputShape(l, [1, 1000]);
        var bridge = new PrototypeBridge(BridgeConfig.ForOldBlock(newEncoder.OutputDim, 2, 4, shape, teacher.encoder.Layout));
        return (new BridgedModel(newEncoder, 2, bridge, teacher, l), xNew, xOld, labels);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void FrozenModelsAreBitIdenticalAfterTrainingAndTheBridgeMoved()
    {
        var (model, xNew, xOld, labels) = Setup(0);
        Dictionary<string, Tensor> Snapshot(TorchSharp.torch.nn.Module m) => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var newBefore = Snapshot(model.New);
        var oldBefore = Snapshot(model.Old);
        var bridgeBefore = Snapshot(model.Bridge);

        var inputs = BridgeTrainer.CacheInputs(model, xNew, CPU);
        var targets = BridgeTrainer.CacheTargets(model, xOld, CPU);
        BridgeTrainer.Train(model, inputs, targets, inputs, targets, labels, 3, new BridgeSettings(Epochs: 3, LearningRate: 1e-2), 0, CPU);

        foreach (var (k, v) in model.New.state_dict()) Assert.True(Same(v, newBefore[k]), $"new encoder {k} changed");
        foreach (var (k, v) in model.Old.state_dict()) Assert.True(Same(v, oldBefore[k]), $"old model {k} changed");
        Assert.Contains(model.Bridge.state_dict(), kv => !Same(kv.Value, bridgeBefore[kv.Key]));
        Assert.All(model.New.parameters().Concat(model.Old.parameters()), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void CosineAlignmentLossFallsAndTheSameSeedGivesTheSameBridge()
    {
        float[] Run()
        {
            var (model, xNew, xOld, labels) = Setup(5);
            var inputs = BridgeTrainer.CacheInputs(model, xNew, CPU);
            var targets = BridgeTrainer.CacheTargets(model, xOld, CPU);
            var fit = BridgeTrainer.Train(model, inputs, targets, inputs, targets, labels, 3,
                                          new BridgeSettings(Epochs: 15, LearningRate: 1e-2), 7, CPU);
            Assert.True(fit.History[^1].Loss < fit.History[0].Loss, $"loss {fit.History[0].Loss} → {fit.History[^1].Loss}");
            return model.Bridge.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void LabelFreeSelectionKeepsTheLowestHeldOutAlignmentLossAndLastEpochKeepsTheEnd()
    {
        var (model, xNew, xOld, labels) = Setup(2);
        var inputs = BridgeTrainer.CacheInputs(model, xNew[..16], CPU);
        var targets = BridgeTrainer.CacheTargets(model, xOld[..16], CPU);
        var (valInputs, valTargets) = (BridgeTrainer.CacheInputs(model, xNew[16..], CPU), BridgeTrainer.CacheTargets(model, xOld[16..], CPU));
        var settings = new BridgeSettings(Epochs: 12, LearningRate: 3e-2, EvalEvery: 3);

        var fit = BridgeTrainer.Train(model, inputs, targets, valInputs, valTargets, labels[16..], 3, settings, 1, CPU);
        var scored = fit.History.Where(e => e.Validation is not null).ToList();
        Assert.Equal([3, 6, 9, 12], scored.Select(e => e.Epoch));
        var lowest = scored.MinBy(e => e.Validation!.Value)!;
        Assert.Equal(lowest.Epoch, fit.BestEpoch);
        Assert.Equal(lowest.Validation!.Value, fit.BestValidation);
        // the restored bridge is the selected one: its held-out loss is the one logged at that epoch
        Assert.Equal(fit.BestValidation, BridgeTrainer.HeldOutAlignment(model, valInputs, valTargets, AlignmentLoss.Cosine, CPU), 6);
        // 1 − cos lies in [0, 2]; a bridge trained toward the targets ends well below the zero-output start's 1
        Assert.InRange(fit.BestValidation, 0, 0.9);

        var (again, _, _, _) = Setup(2);
        var last = BridgeTrainer.Train(again, inputs, targets, valInputs, valTargets, labels[16..], 3,
                                       settings with { Selection = CheckpointSelection.LastEpoch }, 1, CPU);
        Assert.Equal(12, last.BestEpoch);
        Assert.Equal(scored[^1].Validation!.Value, last.BestValidation, 6);
    }

    [Fact]
    public void SelectingWithoutLabelsNeedsTheValidationPairsTargets()
    {
        var (model, xNew, xOld, labels) = Setup(0);
        var inputs = BridgeTrainer.CacheInputs(model, xNew, CPU);
        var targets = BridgeTrainer.CacheTargets(model, xOld, CPU);
        var e = Assert.Throws<ArgumentNullException>(() =>
            BridgeTrainer.Train(model, inputs, targets, inputs, null, labels, 3, new BridgeSettings(Epochs: 1), 0, CPU));
        Assert.Contains("HeldOutLoss", e.Message);
        var byLabels = BridgeTrainer.Train(model, inputs, targets, inputs, null, labels, 3,
                                           new BridgeSettings(Epochs: 1, Selection: CheckpointSelection.ValidationLabels), 0, CPU);
        Assert.Equal(BridgeTrainer.Evaluate(model, inputs, labels, 3, CPU).BalancedAccuracy, byLabels.BestValidation, 12);
    }

    [Fact]
    public void AlignmentLossesHaveTheirTextbookValues()
    {
        using var scope = NewDisposeScope();
        var u = tensor(new float[] { 1, 0, 0, 2 }, [2, 2]);
        var v = tensor(new float[] { 1, 0, 2, 0 }, [2, 2]);
        // cosines 1 and 0 → mean(1 − cos) = 0.5; |Δ| = [0 0 2 2] → 1; Δ² = [0 0 4 4] → 2
        Assert.Equal(0.5f, BridgeTrainer.Alignment(u, v, AlignmentLoss.Cosine).item<float>(), 6);
        Assert.Equal(1f, BridgeTrainer.Alignment(u, v, AlignmentLoss.L1).item<float>(), 6);
        Assert.Equal(2f, BridgeTrainer.Alignment(u, v, AlignmentLoss.Mse).item<float>(), 6);
    }
}
