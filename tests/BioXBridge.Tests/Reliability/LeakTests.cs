using BioXBridge.Bridge;
using BioXBridge.Models;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Reliability;

/// <summary>
/// Issue "Reliability", item 4: long training and evaluation must not leak. A paper run takes 50 epochs of hundreds of
/// steps per seed and a sweep hundreds of runs in one process, so a tensor or a few kilobytes lost per step add up to
/// gigabytes. Both tests run 1,000 real steps (or batches) of a tiny bridge on the CPU and compare what is live after
/// the first 100 (grads, Adam moments and allocator pools all exist by then) with what is live after the 1,000th.
/// </summary>
[Collection(AloneCollection.Name)]
public class LeakTests(ITestOutputHelper output)
{
    private const int Steps = 1000, WarmUp = 100, Windows = 16, Classes = 3;

    /// <summary>
    /// Far below what 900 leaked steps would cost (a step's activations alone are ~0.5 MiB, so a leaked step graph
    /// would add some 450 MiB) and above the allocator's jitter (glibc keeps freed blocks and may grow an arena).
    /// </summary>
    private const long RssGrowthBound = 32L << 20;

    /// <summary>
    /// The bridge tests' tiny pair (2-layer HuBERT-ECG → tiny PaPaGei teacher, block 12), bridge inputs and targets
    /// cached the way a run caches them: <see cref="Windows"/> windows, so one epoch of batch 16 is one step.
    /// </summary>
    private static (BridgedModel Model, Tensor Inputs, Tensor Targets, int[] Labels) Tiny()
    {
        manual_seed(11);
        var newEncoder = new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 2 });
        var teacher = new Classifier(new PaPaGei(PaPaGeiConfig.Tiny), Classes);
        const int l = 12;
        var bridge = new PrototypeBridge(BridgeConfig.ForOldBlock(newEncoder.OutputDim, 2, 4,
            teacher.encoder.BlockInputShape(l, [1, 1000]), teacher.encoder.Layout));
        var model = new BridgedModel(newEncoder, 2, bridge, teacher, l);
        using var raw = NewDisposeScope();
        var inputs = BridgeTrainer.CacheInputs(model, randn(Windows, 1, 1000), CPU).MoveToOuterDisposeScope();
        var targets = BridgeTrainer.CacheTargets(model, randn(Windows, 1, 1000), CPU).MoveToOuterDisposeScope();
        return (model, inputs, targets, Enumerable.Range(0, Windows).Select(i => i % Classes).ToArray());
    }

    [Fact]
    public void A_thousand_bridge_training_steps_leave_live_tensors_and_resident_memory_flat()
    {
        var (model, inputs, targets, labels) = Tiny();
        var at = new Dictionary<int, LiveMemory>();
        // the library's own loop, as a run drives it: one step per epoch here, held-out loss every 10 epochs (100
        // validations, each possibly copying the best state), progress reported on this thread after every epoch
        var progress = new Inline(r => { if (r.Done is WarmUp or Steps) at[r.Done] = LiveMemory.Take(); });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fit = BridgeTrainer.Train(model, inputs, targets, inputs, targets, labels, Classes,
                                      new BridgeSettings(Epochs: Steps, LearningRate: 1e-3, EvalEvery: 10), 0, CPU, progress);
        var after = LiveMemory.Take();
        Report("training", at[WarmUp], at[Steps], clock.Elapsed);
        output.WriteLine($"after Train returned: {after}; loss {fit.History[0].Loss:F4} → {fit.History[^1].Loss:F4}");

        Assert.Equal(Steps, fit.History.Count);
        Assert.True(fit.History[^1].Loss < fit.History[0].Loss, "the steps trained something");
        AssertFlat(at[WarmUp], at[Steps]);
    }

    [Fact]
    public void A_thousand_evaluation_batches_leave_live_tensors_and_resident_memory_flat()
    {
        var (model, inputs, targets, labels) = Tiny();
        LiveMemory? warm = null;
        double balanced = 0, heldOut = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int batch = 1; batch <= Steps; batch++)
        {
            // the two ways a run scores a bridge, one batch each (16 windows ≤ both batch sizes), and no scope of the
            // test's own around them: whatever they leave behind stays live
            if (batch % 2 == 0) balanced = BridgeTrainer.Evaluate(model, inputs, labels, Classes, CPU).BalancedAccuracy;
            else heldOut = BridgeTrainer.HeldOutAlignment(model, inputs, targets, AlignmentLoss.Cosine, CPU);
            if (batch == WarmUp) warm = LiveMemory.Take();
        }
        var end = LiveMemory.Take();
        Report("evaluation", warm!, end, clock.Elapsed);
        output.WriteLine($"last scores: balanced accuracy {balanced:F3}, held-out 1 − cos {heldOut:F4}");

        Assert.InRange(heldOut, 0, 2);
        AssertFlat(warm!, end);
    }

    private void Report(string what, LiveMemory warm, LiveMemory end, TimeSpan took) =>
        output.WriteLine($"{what}: after {WarmUp}: {warm}\n{what}: after {Steps}: {end}\n" +
                         $"{what}: growth {end.ThreadLiveTensors - warm.ThreadLiveTensors} tensors, " +
                         $"{(end.RssBytes - warm.RssBytes) / 1048576.0:F1} MiB RSS over {Steps - WarmUp} steps ({took.TotalSeconds:F1} s)");

    private static void AssertFlat(LiveMemory warm, LiveMemory end)
    {
        Assert.Equal(warm.ThreadLiveTensors, end.ThreadLiveTensors);
        Assert.True(end.RssBytes - warm.RssBytes < RssGrowthBound,
                    $"RSS grew {(end.RssBytes - warm.RssBytes) / 1048576.0:F1} MiB between step {WarmUp} and {Steps} (bound {RssGrowthBound >> 20} MiB)");
    }

    /// <summary>Reports on the caller's thread at once (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Inline(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
