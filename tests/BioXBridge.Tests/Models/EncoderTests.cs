using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

public class EncoderTests
{
    [Fact]
    public void PaPaGeiBlockInputsHaveUpstreamsLengthsFor7500Samples()
    {
        // upstream ResNet1DMoE (models/resnet.py, stride 2 every other block, 'same' padding): block inputs 7500 (b0, b1), 3750 (b2, b3), 1875 (b4, b5), 938 (b6, b7), 469 (b8, b9),
        // 235 (b10, b11), 118 (b12, b13), 59 (b14, b15), 30 (b16, b17); channels ×2 at blocks 4, 8, 12, 16 → from 5, 9, 13, 17
        manual_seed(0);
        using var net = new PaPaGei(PaPaGeiConfig.Tiny);
        long[] lengths = [7500, 7500, 3750, 3750, 1875, 1875, 938, 938, 469, 469, 235, 235, 118, 118, 59, 59, 30, 30];
        int[] channels = [4, 4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32, 32, 64];
        for (int l = 0; l < 18; l++)
            Assert.Equal(new long[] { channels[l], lengths[l] }, net.BlockInputShape(l, [1, 7500]));
        // a bridge reading PaPaGei (ECG→PPG direction) sees the width of the block it reads, not the last one
        Assert.Equal(8, net.OutputWidth(5, [1, 7500]));
        Assert.Equal(64, net.OutputWidth(18, [1, 7500]));
    }

    [Fact]
    public void HuBertEcgGives93TokensFor60sAnd46For30s()
    {
        Assert.Equal(93, HuBertEcgConfig.Small.Tokens(6000));
        Assert.Equal(46, HuBertEcgConfig.Small.Tokens(3000));
        manual_seed(0);
        using var net = new HuBertEcg(HuBertEcgConfig.Tiny);
        Assert.Equal(new long[] { 93, 64 }, net.BlockInputShape(0, [1, 6000]));
        Assert.Equal(new long[] { 46, 64 }, net.BlockInputShape(3, [1, 3000]));
    }

    // The layer-tap contract (block by block equals the forward, hooks see what the taps report) is checked for every
    // zoo entry at both sizes in ZooContractTests, not here for one model.

    [Fact]
    public void StateDictKeysFollowTheUpstreamLayouts()
    {
        using var pp = new PaPaGei(PaPaGeiConfig.Tiny);
        var ppKeys = pp.state_dict().Keys.ToHashSet();
        Assert.Contains("first_block_conv.conv.weight", ppKeys);
        Assert.Contains("basicblock_list.17.conv2.conv.weight", ppKeys);
        Assert.Contains("basicblock_list.4.bn1.running_var", ppKeys);
        using var hb = new HuBertEcg(HuBertEcgConfig.Tiny);
        var hbKeys = hb.state_dict().Keys.ToHashSet();
        Assert.Contains("feature_extractor.conv_layers.0.layer_norm.weight", hbKeys);
        Assert.Contains("feature_projection.projection.weight", hbKeys);
        Assert.Contains("encoder.pos_conv_embed.conv.weight_g", hbKeys);
        Assert.Contains("encoder.layers.3.feed_forward.output_dense.bias", hbKeys);
        Assert.Contains("encoder.layers.0.attention.q_proj.weight", hbKeys);
        Assert.DoesNotContain("feature_extractor.conv_layers.1.layer_norm.weight", hbKeys);
    }
}

public class InitialisationTests
{
    [Fact]
    public void EveryParameterOfBothEncodersStartsFiniteAndNormsStartAtIdentity()
    {
        manual_seed(0);
        using var hb = new HuBertEcg(HuBertEcgConfig.Tiny);
        using var pp = new PaPaGei(PaPaGeiConfig.Tiny);
        foreach (var (name, p) in hb.named_parameters().Concat(pp.named_parameters()))
            Assert.True(p.isfinite().all().item<bool>() && p.abs().max().item<float>() < 100, $"{name} is not initialised");
        var gn = hb.named_parameters().First(p => p.name == "feature_extractor.conv_layers.0.layer_norm.weight").parameter;
        Assert.True(gn.eq(1).all().item<bool>());
    }
}
