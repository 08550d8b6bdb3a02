using System.Text.Json;
using BioXBridge.Data;
using BioXBridge.Models;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// Parity of the LaBraM port with the independent PyTorch reference tools/golden/labram_reference.py (fixtures in
/// Fixtures/models/labram; regenerate with Debian's /usr/bin/python3 tools/golden/labram_reference.py).
/// </summary>
public class LaBraMTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4; // max|Δ| / max|ref|
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "labram");

    private static Tensor Load(string name)
    {
        var a = Npy.Read(Path.Combine(Dir, name));
        return tensor(a.AsFloat32(), a.Shape);
    }

    private double RelErr(string what, Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        double err = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        output.WriteLine($"{what}: max|Δ|/max|ref| = {err:E2}");
        return err;
    }

    [Fact]
    public void TinyMatchesTheReferenceOnEmbedAndEveryBlock()
    {
        using var net = new LaBraM(LaBraMConfig.Tiny);
        net.load_py(Path.Combine(Dir, "tiny_weights.pt"), strict: true);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Load("tiny_input.npy");
        var h = net.Embed(x);
        Assert.True(RelErr("tiny embed", h, Load("tiny_embed.npy")) < Tolerance);
        for (int k = 0; k < net.BlockCount; k++)
        {
            h = net.RunBlock(k, h);
            Assert.True(RelErr($"tiny block {k}", h, Load($"tiny_block{k}.npy")) < Tolerance);
        }
        // channel position embedding (off in the paper's runs) with upstream's input_chans: CLS row 0 first
        net.InputChans = [0, 5, 11, 16];
        Assert.True(RelErr("tiny embed + pos_embed", net.Embed(x), Load("tiny_embed_pos.npy")) < Tolerance);
    }

    [Fact]
    public void FullSizeMatchesTheReferenceFingerprintWithSyntheticWeights()
    {
        using var net = new LaBraM(LaBraMConfig.Full);
        SyntheticWeights.Fill(net);
        using (no_grad())
        {
            // as the reference does: LayerScale 1, or each block would add only ~1e-3 of the residual stream
            foreach (var (name, p) in net.named_parameters())
                if (name.EndsWith("gamma_1") || name.EndsWith("gamma_2")) p.fill_(1);
        }
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rows = Load("full_fingerprint.npy");
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "full_fingerprint.json")));
        var entries = meta.RootElement.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(net.BlockCount + 1, entries.Length);
        var h = net.Embed(Load("full_input.npy"));
        Tensor? previous = null;
        for (int k = 0; k <= net.BlockCount; k++)
        {
            if (k > 0) h = net.RunBlock(k - 1, h);
            var e = entries[k];
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(), h.shape);
            long stride = e.GetProperty("stride").GetInt64(), samples = e.GetProperty("samples").GetInt64();
            var sample = h.reshape(-1)[TensorIndex.Slice(0, null, stride)];
            var expected = rows[k, ..(int)samples];
            double maxAbs = e.GetProperty("max_abs").GetDouble();
            Assert.InRange(h.abs().max().item<float>(), maxAbs * (1 - Tolerance), maxAbs * (1 + Tolerance));
            Assert.True(RelErr(k == 0 ? "full embed" : $"full block {k - 1}", sample, expected) < Tolerance);
            // the block's own contribution (the residual stream dwarfs it), same samples: every block has the same shape
            if (previous is not null)
                Assert.True(RelErr($"full block {k - 1} increment", sample - previous, expected - rows[k - 1, ..(int)samples]) < Tolerance);
            previous = sample;
        }
    }

    [Fact]
    public void PaperInputsGiveTheSpecTokenCounts()
    {
        Assert.Equal(181, LaBraMConfig.Tokens(6, 30));
        Assert.Equal(19, LaBraMConfig.Tokens(6, 3));
        using var isruc = new LaBraM(LaBraMConfig.Full with { TimePositions = 30 }); // the ISRUC runs re-declared time_embed
        Assert.Equal(new long[] { 181, 200 }, isruc.BlockInputShape(2, [6, 30, 200]));
        using var fog = new LaBraM(LaBraMConfig.Full);
        Assert.Equal(new long[] { 19, 200 }, fog.BlockInputShape(11, [6, 3, 200]));
        Assert.Equal(200, fog.OutputWidth(7, [6, 3, 200]));
        // 30 patches do not fit the pre-trained 16-position time_embed
        Assert.Throws<ArgumentException>(() => fog.BlockInputShape(0, [6, 30, 200]));
    }

    [Fact]
    public void FullSizeParameterCountIsThePapers5Point8M()
    {
        // counts every parameter of the encoder as upstream's NeuralTransformer (labram_base_patch200_200,
        // use_mean_pooling) holds it with no head (num_classes 0) and no qkv bias: TemporalConv (576), cls_token (200),
        // pos_embed (129 × 200), time_embed (16 × 200), 12 blocks (482,480 each) and fc_norm (400)
        using var net = new LaBraM(LaBraMConfig.Full);
        long n = net.ParameterCount();
        output.WriteLine($"LaBraM-Base parameters: {n:N0}");
        Assert.Equal(5_819_936, n);
        Assert.InRange(Math.Abs(n - 5.8e6) / 5.8e6, 0, 0.01); // the paper's ≈ 5.8M, within 1 %
    }

    [Fact]
    public void StateDictKeysFollowUpstream()
    {
        using var full = new LaBraM(LaBraMConfig.Full);
        var keys = full.state_dict().Keys.ToHashSet();
        foreach (var k in new[] { "patch_embed.conv1.weight", "patch_embed.norm3.bias", "cls_token", "pos_embed", "time_embed",
                                  "blocks.11.attn.qkv.weight", "blocks.0.attn.q_norm.weight", "blocks.0.attn.k_norm.bias",
                                  "blocks.0.attn.proj.bias", "blocks.3.mlp.fc2.weight", "blocks.0.gamma_1", "blocks.0.gamma_2",
                                  "fc_norm.weight" })
            Assert.Contains(k, keys);
        Assert.DoesNotContain("blocks.0.attn.q_bias", keys);
        Assert.DoesNotContain("blocks.0.attn.qkv.bias", keys);
        Assert.Equal(new long[] { 1, 129, 200 }, full.state_dict()["pos_embed"].shape);
        Assert.Equal(new long[] { 1, 16, 200 }, full.state_dict()["time_embed"].shape);
        using var student = new LaBraM(LaBraMConfig.PretrainedStudent);
        var sk = student.state_dict().Keys.ToHashSet();
        Assert.Contains("norm.weight", sk);
        Assert.DoesNotContain("fc_norm.weight", sk);
        Assert.Equal(keys.Count, sk.Count);
        using var tiny = new LaBraM(LaBraMConfig.Tiny);
        var tk = tiny.state_dict().Keys.ToHashSet();
        Assert.Contains("blocks.0.attn.q_bias", tk);
        Assert.Contains("head.weight", tk);
        // TorchSharp 0.107 leaves GroupNorm affines uninitialised; the port sets PyTorch's 1 and 0
        Assert.True(full.state_dict()["patch_embed.norm1.weight"].eq(1).all().item<bool>());
        Assert.True(full.state_dict()["patch_embed.norm1.bias"].eq(0).all().item<bool>());
    }

    [Fact]
    public void PrepareInputScalesAndCutsOneSecondPatches()
    {
        using var scope = NewDisposeScope();
        var raw = arange(2 * 600, dtype: float32).reshape(1, 2, 600);
        var x = LaBraM.PrepareInput(raw);
        Assert.Equal(new long[] { 1, 2, 3, 200 }, x.shape);
        Assert.Equal(2.0f, x[0, 0, 1, 0].item<float>(), 6); // sample 200 of channel 0, ÷ 100
        Assert.Equal(11.99f, x[0, 1, 2, 199].item<float>(), 4); // sample 599 of channel 1 = 1199 / 100
        Assert.Throws<ArgumentException>(() => LaBraM.PrepareInput(zeros(1, 2, 450)));
    }

    [Fact]
    public void TransposeKeepsTokenIdentityWhereTheReleasesReshapeScramblesIt()
    {
        using var scope = NewDisposeScope();
        const int d = 200, n = 19;
        // (B, d_l, N_l) with value = 1000·token + feature
        var featureMajor = (arange(n).unsqueeze(0) * 1000 + arange(d).unsqueeze(1)).unsqueeze(0).expand(2, -1, -1).to_type(float32);
        var t = LaBraM.ToBlockInput(featureMajor);
        var r = LaBraM.ToBlockInput(featureMajor, LabramOutputLayout.Reshape);
        Assert.Equal(new long[] { 2, n, d }, t.shape);
        Assert.Equal(new long[] { 2, n, d }, r.shape);
        var token = (t / 1000).floor();
        Assert.True(token.eq(arange(n).to_type(float32).view(1, n, 1)).all().item<bool>()); // every feature of row i is token i's
        Assert.True((t % 1000).eq(arange(d).to_type(float32).view(1, 1, d)).all().item<bool>());
        Assert.False(t.allclose(r));
        Assert.False((r / 1000).floor().eq(arange(n).to_type(float32).view(1, n, 1)).all().item<bool>()); // reshape mixes tokens
    }
}
