using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// Position selection reads every block boundary of a model. The kit taps them all in one pass
/// (<see cref="LayeredEncoder.PooledTrace"/>, what <c>PositionSelector</c> calls); the release (train_bridge.py's feature
/// dump) runs the whole model once per layer index with a hook on that one block. Both pool each boundary the same way.
/// </summary>
public static class SelectionBench
{
    public static BenchCase OnePassVsPerLayer(ZooEntry entry, long[] shape, int windows, Repetitions r)
    {
        manual_seed(0);
        using var model = entry.Build(ModelSize.Full, shape);
        model.Freeze();
        using var x = randn([windows, .. shape]);
        using var noGrad = no_grad();
        var onePass = Timing.Measure(r, () =>
        {
            using var scope = NewDisposeScope();
            model.PooledTrace(x);
        });
        var perLayer = Timing.Measure(r, () =>
        {
            for (int tap = 0; tap <= model.BlockCount; tap++)
            {
                using var scope = NewDisposeScope();
                WholePassTapping(model, x, tap);
            }
        });
        return new BenchCase($"one_pass_selection_{entry.Name}", "ms", onePass, perLayer, 5,
            $"pooled features of all {model.BlockCount + 1} block boundaries ({windows} windows): one whole pass per layer index ÷ one pass",
            new Dictionary<string, object?> { ["windows"] = windows, ["blocks"] = model.BlockCount, ["input"] = shape });
    }

    /// <summary>The release's pass for one layer index: the whole model runs, the hooked boundary is pooled and kept.</summary>
    public static Tensor WholePassTapping(LayeredEncoder model, Tensor x, int tap)
    {
        var h = model.Embed(x);
        var kept = tap == 0 ? model.Pool(h) : null;
        for (int k = 0; k < model.BlockCount; k++)
        {
            h = model.RunBlock(k, h);
            if (k + 1 == tap) kept = model.Pool(h);
        }
        return kept!;
    }
}
