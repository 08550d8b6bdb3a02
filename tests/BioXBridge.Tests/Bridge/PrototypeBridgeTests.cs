using BioXBridge.Bridge;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Bridge;

public class PrototypeBridgeTests
{
    [Theory]
    // the paper's directions (docs/directions.md): r·d_in + r·N_p·N_l + N_p·d_l
    [InlineData(512, 32, 50, 235, 128, 398_784)]
    [InlineData(64, 8, 150, 93, 512, 188_912)]
    [InlineData(512, 32, 300, 181, 200, 1_813_984)]
    [InlineData(200, 4, 200, 46, 512, 140_000)]
    [InlineData(768, 256, 200, 19, 200, 1_209_408)]
    [InlineData(200, 8, 50, 1680, 768, 712_000)]
    public void ParameterCountMatchesFormulaAndModule(int dIn, int r, int np, int nl, int dl, long expected)
    {
        var cfg = new BridgeConfig(dIn, r, np, nl, dl, FeatureLayout.TokenMajor);
        Assert.Equal(expected, cfg.TrainableParameters);
        using var bridge = new PrototypeBridge(cfg);
        Assert.Equal(expected, bridge.ParameterCount());
    }

    [Theory]
    // the six directions' (d_in, r, N_p): A's entries are U(±1/√d_in) as in the release (fan-in d_in, not r), so their
    // standard deviation is 1/√(3·d_in); prototypes are N(0, 1)
    [InlineData(512, 32, 50)]
    [InlineData(64, 8, 150)]
    [InlineData(512, 32, 300)]
    [InlineData(200, 4, 200)]
    [InlineData(768, 256, 200)]
    [InlineData(200, 8, 50)]
    public void InitialAHasTheReleasesScaleForEveryDirection(int dIn, int r, int np)
    {
        manual_seed(dIn + r);
        using var bridge = new PrototypeBridge(new BridgeConfig(dIn, r, np, 7, 16, FeatureLayout.TokenMajor));
        var p = bridge.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        double bound = 1 / Math.Sqrt(dIn), n = (double)dIn * r;
        double std = p["A"].std().item<float>(), max = p["A"].abs().max().item<float>();
        // the sample sd of n uniform draws has relative sd √(0.8/(4n)); allow 5 of those
        Assert.InRange(std * Math.Sqrt(3 * dIn), 1 - 5 * Math.Sqrt(0.2 / n), 1 + 5 * Math.Sqrt(0.2 / n));
        Assert.InRange(max, 0.9 * bound, bound);
        Assert.InRange(p["P"].std().item<float>(), 0.9, 1.1);
        Assert.Equal(0f, p["B"].abs().max().item<float>());
    }

    [Fact]
    public void FromTheSameSeedTheInitialBridgeIsTheReleases()
    {
        // PyTorch's own draws for the release's constructor (tools/golden/bridge_init_golden.py, seed 11, d_in 6, r 3,
        // N_p 4, N_l 5, d_l 2); ours stores A as (d_in, r) and P as (N_p, d_l), the transposes
        static float[] Golden(string name) =>
            BioXBridge.Data.Npy.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bridge", $"release_init_{name}.npy")).AsFloat32();
        manual_seed(11);
        using var bridge = new PrototypeBridge(new BridgeConfig(6, 3, 4, 5, 2, FeatureLayout.TokenMajor));
        var p = bridge.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        Assert.Equal(Golden("A"), p["A"].t().contiguous().data<float>().ToArray());
        Assert.Equal(Golden("prototypes"), p["P"].t().contiguous().data<float>().ToArray());
    }

    [Fact]
    public void OutputsZerosAtInitialisationInTheOldModelsLayout()
    {
        manual_seed(0);
        using var token = new PrototypeBridge(new BridgeConfig(16, 4, 8, 10, 6, FeatureLayout.TokenMajor));
        using var channel = new PrototypeBridge(new BridgeConfig(16, 4, 8, 10, 6, FeatureLayout.ChannelMajor));
        using var scope = NewDisposeScope();
        var pooled = randn(3, 16);
        var t = token.call(pooled);
        var c = channel.call(pooled);
        Assert.Equal(new long[] { 3, 10, 6 }, t.shape);
        Assert.Equal(new long[] { 3, 6, 10 }, c.shape);
        Assert.Equal(0f, t.abs().max().item<float>());
        Assert.Equal(0f, c.abs().max().item<float>());
    }

    [Fact]
    public void IsEquationSixAndChannelLayoutIsATransposeNotAReshape()
    {
        manual_seed(3);
        var cfg = new BridgeConfig(5, 2, 3, 4, 6, FeatureLayout.ChannelMajor);
        using var bridge = new PrototypeBridge(cfg);
        using var scope = NewDisposeScope();
        var p = bridge.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        using (no_grad()) p["B"].normal_();
        var pooled = randn(2, 5);
        var expected = pooled.matmul(p["A"]).matmul(p["B"]).view(2, 4, 3).matmul(p["P"]); // (batch, N_l, d_l)
        var actual = bridge.call(pooled);
        Assert.True(actual.allclose(expected.transpose(1, 2), rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void SampledInitUsesTheGivenTokensAndChecksTheirShape()
    {
        var cfg = new BridgeConfig(4, 2, 3, 5, 2, FeatureLayout.TokenMajor, PrototypeInit.Sampled);
        using var tokens = arange(6, dtype: ScalarType.Float32).view(3, 2);
        using var bridge = new PrototypeBridge(cfg, tokens);
        Assert.True(bridge.named_parameters().First(p => p.name == "P").parameter.eq(tokens).all().item<bool>());
        Assert.Throws<ArgumentException>(() => new PrototypeBridge(cfg, zeros(2, 2)));
    }
}

public class BridgeLayoutTests
{
    private static (PrototypeBridge Bridge, Tensor Tokens) Setup(BridgeConfig cfg, Tensor pooled)
    {
        manual_seed(11);
        var bridge = new PrototypeBridge(cfg);
        var p = bridge.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        using (no_grad()) p["B"].normal_();
        var tokens = pooled.matmul(p["A"]).matmul(p["B"]).view(pooled.shape[0], cfg.OutputTokens, cfg.Prototypes).matmul(p["P"]);
        return (bridge, tokens);
    }

    [Fact]
    public void NormWearGroupsViewOneRecordingsTokensAsChannelRows()
    {
        // 3 channels × 4 tokens per channel, as NormWear's (batch·channels, 560, 768) with 560 → 4
        var cfg = BridgeConfig.ForOldBlock(5, 2, 3, [4, 6], FeatureLayout.TokenMajor, groups: 3);
        Assert.Equal(12, cfg.OutputTokens);
        using var scope = NewDisposeScope();
        var pooled = randn(2, 5);
        var (bridge, tokens) = Setup(cfg, pooled);
        var output = bridge.call(pooled);
        Assert.Equal(new long[] { 6, 4, 6 }, output.shape);
        Assert.True(output[4].allclose(tokens[1, 4..8], rtol: 1e-6, atol: 1e-6)); // recording 1, channel 1
    }

    [Fact]
    public void ReleaseReshapeIsLaBraMsReshapeOfTheFeatureMajorOutputAndScramblesTokens()
    {
        var cfg = new BridgeConfig(5, 2, 3, 4, 6, FeatureLayout.TokenMajor, ReleaseReshape: true);
        using var scope = NewDisposeScope();
        var pooled = randn(2, 5);
        var (bridge, tokens) = Setup(cfg, pooled);
        var output = bridge.call(pooled);
        Assert.True(output.allclose(LaBraM.ToBlockInput(tokens.transpose(1, 2), LabramOutputLayout.Reshape), rtol: 1e-6, atol: 1e-6));
        Assert.False(output.allclose(tokens, rtol: 1e-3, atol: 1e-3));
    }

    [Theory]
    [InlineData(PrototypeInit.Gaussian)]
    [InlineData(PrototypeInit.Sampled)]
    public void A_disposed_bridge_leaves_no_live_tensor_behind(PrototypeInit init)
    {
        // sweeps build thousands of bridges; every temporary of the constructor must be owned by something
        var cfg = new BridgeConfig(4, 2, 3, 5, 2, FeatureLayout.TokenMajor, init);
        using var sampled = randn(3, 2);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        new PrototypeBridge(cfg, sampled).Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
