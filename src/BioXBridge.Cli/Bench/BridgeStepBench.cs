using System.Diagnostics;
using BioXBridge.Bridge;
using BioXBridge.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>One cached bridge training step, its parts, and the arithmetic it does.</summary>
public sealed record StepProfile(Timing Step, IReadOnlyDictionary<string, double> PartsMs, double Flops)
{
    public double Gflops => Flops / Step.Median / 1e6;
}

/// <summary>
/// The cached bridge step as <see cref="TrainingLoop"/> runs it (zero gradients, bridge, old blocks l..L−1, 1 − cos,
/// backward, loss read back, Adam) at full size, timed whole and part by part; against PyTorch doing the same, and
/// against the large-matmul ceiling measured in the same run.
/// </summary>
public static class BridgeStepBench
{
    public static StepProfile Profile(BenchRig rig, int batch, Repetitions r)
    {
        var model = rig.Bridged(seed: 0);
        using var bridge = model.Bridge;
        var old = model.Old.encoder;
        int l = model.OutputPosition;
        using var pooled = randn(batch, rig.BridgeShape.InputDim);
        using var target = Predicted(model, pooled);
        var parameters = bridge.parameters().ToList();
        using var adam = new AdamStep(parameters, rig.Config.Bridge.LearningRate);
        var parts = new Dictionary<string, List<double>>
        {
            ["bridge forward"] = [], ["old blocks l.. forward"] = [], ["loss"] = [], ["backward"] = [], ["adam"] = [],
        };
        var clock = new Stopwatch();
        void Lap(string part)
        {
            parts[part].Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
        }
        bridge.train();
        var step = Timing.Measure(r, () =>
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            adam.ZeroGrad();
            var tokens = bridge.call(pooled);
            Lap("bridge forward");
            var predicted = old.Flatten(old.RunFrom(l, tokens));
            Lap("old blocks l.. forward");
            var loss = BridgeTrainer.Alignment(predicted, target, AlignmentLoss.Cosine);
            Lap("loss");
            loss.backward();
            loss.item<float>();
            Lap("backward");
            adam.Step();
            Lap("adam");
        });
        // the parts of the timed runs only (a warm-up adds one entry to each part first)
        var medians = parts.ToDictionary(kv => kv.Key, kv => Timing.Of([.. kv.Value.TakeLast(step.Runs.Length)]).Median);
        return new StepProfile(step, medians, StepFlops(model, pooled));
    }

    private static Tensor Predicted(BridgedModel model, Tensor pooled)
    {
        using var noGrad = no_grad();
        return model.Old.encoder.Flatten(model.OldLastFromPooled(pooled));
    }

    /// <summary>
    /// Multiply-adds ×2 of a step: the old blocks' convolutions and linear layers (counted by forward hooks on every
    /// Conv1d/Conv2d/Linear, so attention's own matmuls, norms and activations are left out), once forward and once
    /// more for the input gradients of the backward pass (frozen weights need no weight gradients); the bridge's three
    /// matmuls forward, and twice that backward for the gradients of A, B and P.
    /// </summary>
    public static double StepFlops(BridgedModel model, Tensor pooled)
    {
        double suffix = ForwardFlops(model.Old.encoder, () => Predicted(model, pooled).Dispose());
        var b = model.Bridge.Config;
        double bridgeFlops = 2.0 * pooled.shape[0] * ((double)b.InputDim * b.Rank + (double)b.Rank * b.OutputTokens * b.Prototypes
                                                      + (double)b.OutputTokens * b.Prototypes * b.OutputDim);
        return 2 * suffix + 3 * bridgeFlops;
    }

    /// <summary>2 × multiply-adds of every convolution and linear layer <paramref name="pass"/> runs in <paramref name="model"/>.</summary>
    public static double ForwardFlops(nn.Module model, Action pass)
    {
        double flops = 0;
        var removers = new List<Action>();
        foreach (var m in model.named_modules().Select(n => n.module).Prepend(model)) // named_modules leaves the root out
        {
            if (m is not (Linear or Conv1d or Conv2d)) continue;
            var weight = m.named_parameters().First(p => p.name == "weight").parameter;
            double perOutput = 2.0 * weight.numel() / weight.shape[0]; // in/groups · kernel: one output's multiply-adds
            var hooked = (nn.Module<Tensor, Tensor>)m;
            var handle = hooked.register_forward_hook((_, _, output) =>
            {
                flops += perOutput * output.numel();
                return output;
            });
            removers.Add(() => handle.remove());
        }
        try { pass(); }
        finally { foreach (var remove in removers) remove(); }
        return flops;
    }

    /// <summary>GFLOP/s of a large float32 matmul on this machine now: the most this CPU gives our kind of arithmetic.</summary>
    public static (double Gflops, Timing Timing) MatmulCeiling(int n, Repetitions r)
    {
        using var a = randn(n, n);
        using var b = randn(n, n);
        var t = Timing.Measure(r with { Repeats = Math.Max(r.Repeats, 3), BudgetMs = double.MaxValue }, () => a.matmul(b).Dispose());
        return (2.0 * n * n * n / t.Median / 1e6, t);
    }
}
