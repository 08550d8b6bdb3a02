using BioXBridge.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>PaPaGei port against tools/golden/papagei_reference.py (an independent PyTorch 1.13 implementation).</summary>
public class PaPaGeiParityTests(ITestOutputHelper output)
{
    private static readonly EcgPpgParityFixture Fixture = new("papagei");

    [Fact]
    public void TinyLoadsTheReferenceCheckpointStrictlyAndMatchesEveryBlockAndTheHeads()
    {
        using var net = new PaPaGei(PaPaGeiConfig.Tiny with { Experts = 3 });
        Fixture.AssertSameKeys("tiny", net);
        net.load_py(Fixture.WeightsPath, strict: true);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (worst, h) = Fixture.CompareTinyTrace(net);
        var (embedding, moe1, moe2) = net.UpstreamHeads(h);
        worst = Math.Max(worst, Fixture.CompareTiny("head_dense", embedding));
        worst = Math.Max(worst, Fixture.CompareTiny("head_moe1", moe1));
        worst = Math.Max(worst, Fixture.CompareTiny("head_moe2", moe2));
        using var bare = new PaPaGei(PaPaGeiConfig.Tiny);
        Assert.ThrowsAny<Exception>(() => bare.load_py(Fixture.WeightsPath, strict: true));
        output.WriteLine($"PaPaGei tiny: worst max|Δ|/max|ref| over embed + {net.BlockCount} blocks + 3 heads = {worst:E2}");
    }

    [Fact]
    public void FullWithSyntheticWeightsMatchesTheReferenceAndUpstreamsShapesOn7500Samples()
    {
        // PaPaGei-S block input shapes for 7500 samples (upstream models/resnet.py: stride 2 every other block, 'same' padding)
        long[][] blockInputs =
        [
            [32, 7500], [32, 7500], [32, 3750], [32, 3750], [32, 1875], [64, 1875], [64, 938], [64, 938], [64, 469],
            [128, 469], [128, 235], [128, 235], [128, 118], [256, 118], [256, 59], [256, 59], [256, 30], [512, 30],
        ];
        using var net = new PaPaGei(PaPaGeiConfig.Full);
        Fixture.AssertSameKeys("full", net);
        SyntheticWeights.Fill(net);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var h = net.Embed(Fixture.Load("full_input"));
        double worst = Fixture.CompareFull("embed", h);
        for (int k = 0; k < net.BlockCount; k++)
        {
            Assert.Equal(blockInputs[k], h.shape[1..]);
            h = net.RunBlock(k, h);
            worst = Math.Max(worst, Fixture.CompareFull($"block{k:00}", h));
        }
        Assert.Equal(new long[] { 1, 512, 15 }, h.shape);
        output.WriteLine($"PaPaGei-S: worst max|Δ|/max|ref| over embed + {net.BlockCount} blocks = {worst:E2}");
    }

    [Fact]
    public void FullParameterCountIsCloseToThePapers()
    {
        using var net = new PaPaGei(PaPaGeiConfig.Full);
        long all = net.ParameterCount();
        long encoder = net.named_parameters().Where(p => p.name.StartsWith("first_block") || p.name.StartsWith("basicblock_list"))
                          .Sum(p => p.parameter.numel());
        long dense = net.named_parameters().Where(p => p.name.StartsWith("final_bn") || p.name.StartsWith("dense")).Sum(p => p.parameter.numel());
        output.WriteLine($"PaPaGei-S: {all:N0} parameters = encoder {encoder:N0} + final_bn/dense {dense:N0} + " +
                         $"two 3-expert MoE heads {all - encoder - dense:N0}; paper ≈ 5.7M");
        Assert.Equal(Fixture.FullParameters, all);
        Assert.Equal(5_785_612, all);
        Assert.Equal(4_729_344, encoder);
        Assert.InRange(all / 5.7e6, 0.98, 1.02); // 5.79M: the paper's 5.7M truncates it (or rounds a slightly different head)
    }
}
