using BioXBridge.Models;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

public class AdamStepTests
{
    [Fact]
    public void FirstStepMovesEveryWeightByTheLearningRateAgainstItsGradientSign()
    {
        // after one step m̂ = g and v̂ = g², so the update is −lr·g/(|g| + ε) ≈ −lr·sign(g)
        using var p = new Parameter(tensor(new float[] { 1, 2, -3 }));
        using var adam = new AdamStep([p], lr: 0.1);
        p.grad = tensor(new float[] { 0.5f, -1, 4 });
        adam.Step();
        Assert.Equal(new[] { 0.9f, 2.1f, -3.1f }, p.data<float>().ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void MatchesTorchSharpsAdamBitForBitOverSeveralSteps()
    {
        manual_seed(3);
        var start = randn(4, 3);
        var grads = Enumerable.Range(0, 6).Select(_ => randn(4, 3)).ToArray();
        using var a = new Parameter(start.clone());
        using var b = new Parameter(start.clone());
        using var ours = new AdamStep([a], lr: 0.01);
        using var theirs = optim.Adam([b], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        foreach (var g in grads)
        {
            a.grad = g.clone();
            b.grad = g.clone();
            ours.Step();
            theirs.step();
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
    }
}
