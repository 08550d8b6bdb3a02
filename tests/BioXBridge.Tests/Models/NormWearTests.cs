using System.Text.Json;
using BioXBridge.Data;
using BioXBridge.Models;
using BioXBridge.Signals;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// Parity of <see cref="NormWear"/> with the independent PyTorch reference tools/golden/normwear_reference.py
/// (fixtures in Fixtures/models/normwear; regenerate with /usr/bin/python3 tools/golden/normwear_reference.py).
/// </summary>
public class NormWearTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "normwear");

    private static string Fixture(string name)
    {
        var path = Path.Combine(Dir, name);
        Assert.True(File.Exists(path), $"missing fixture {path}; regenerate with /usr/bin/python3 tools/golden/normwear_reference.py");
        return path;
    }

    private static Tensor LoadNpy(string name)
    {
        var a = Npy.Read(Fixture(name));
        return tensor(a.AsFloat32(), a.Shape);
    }

    /// <summary>The reference's closed-form input: SyntheticWeights.Values("normwear.input", n) · 100 in float32.</summary>
    private static Tensor ClosedFormInput(params long[] shape)
    {
        var v = SyntheticWeights.Values("normwear.input", shape.Aggregate(1L, (a, b) => a * b));
        for (int i = 0; i < v.Length; i++) v[i] *= 100f;
        return tensor(v, shape);
    }

    private static NormWear LoadTiny()
    {
        var model = new NormWear(NormWearConfig.Tiny);
        model.load_py(Fixture("tiny_weights.pt"), strict: true);
        model.Freeze();
        return model;
    }

    private static double Relative(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double maxRef = expected.abs().max().ToDouble();
        double rel = (expected - actual).abs().max().ToDouble() / maxRef;
        Assert.True(rel < Tolerance, $"{what}: max|Δ|/max|ref| = {rel:E3} (max|ref| {maxRef:E3})");
        return rel;
    }

    [Fact]
    public void TinyMatchesReferenceOnAShortWindowWithResizedPositions()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = LoadTiny();
        var x = LoadNpy("tiny_input.npy"); // (2, 2, 3, 100, 65): grid 11 × 13, pos_embed bicubically resized
        var h = model.Embed(x);
        Assert.Equal(2, model.Channels);
        Assert.Equal([4L, 144, 32], h.shape);
        double worst = Relative(LoadNpy("tiny_embed.npy"), h, "tiny embed");
        for (int k = 0; k < model.BlockCount; k++)
        {
            h = model.RunBlock(k, h);
            worst = Math.Max(worst, Relative(LoadNpy($"tiny_block_{k}.npy"), h, $"tiny block {k}"));
        }
        output.WriteLine($"tiny (L = 100): worst max|Δ|/max|ref| over embed + {model.BlockCount} blocks = {worst:E2}");
    }

    [Fact]
    public void TinyMatchesReferenceFingerprintsOnA388SampleWindow()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var worst = CheckFingerprints(LoadTiny(), "tiny388");
        output.WriteLine($"tiny (L = 388): worst max|Δ|/max|ref| over embed + blocks = {worst:E2}");
    }

    [Fact]
    public void FullSizeMatchesReferenceFingerprintsAndCountsParameters()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = new NormWear(NormWearConfig.Full);
        SyntheticWeights.Fill(model);
        model.Freeze();
        var built = clock.Elapsed;

        // Encoder only: patch_embed.proj (104,448) + cls_token (768) + pos_embed (430,080; frozen, but a parameter in
        // upstream's state dict) + 12 variate_encoder blocks + 6 cls_fusion blocks (7,087,872 each) + norm (1,536).
        long count = model.ParameterCount();
        const long block = 3L * 768 * 768 + 3 * 768 + 768 * 768 + 768 + 2L * 768 * 3072 + 3072 + 768 + 4 * 768;
        Assert.Equal(104_448 + 768 + 430_080 + 18 * block + 1_536, count);
        // The paper's ≈136.1M counts the whole MAE checkpoint; its decoder (decoder_embed, mask_token,
        // decoder_pos_embed, 2 blocks of width 512, decoder_norm, temporal_recon, spatial_recon with nvar = 4) adds:
        const long decBlock = 3L * 512 * 512 + 3 * 512 + 512 * 512 + 512 + 2L * 512 * 2048 + 2048 + 512 + 4 * 512;
        long decoder = (768 * 512 + 512) + 512 + 560 * 512 + 2 * decBlock + 2 * 512 + (560 * 388 + 388)
                       + (2 * 2048 + 2048 * 384 + 384 + 384 * 4 + 4);
        output.WriteLine($"NormWear full encoder parameters: {count:N0} ({count / 1e6:F2}M, incl. pos_embed); " +
                         $"+ upstream MAE decoder {decoder:N0} = {(count + decoder) / 1e6:F2}M (paper ≈136.1M)");
        Assert.InRange(count + decoder, 136.05e6, 136.15e6);

        clock.Restart();
        var worst = CheckFingerprints(model, "full");
        output.WriteLine($"full (L = 388, synthetic weights): worst max|Δ|/max|ref| over embed + 12 blocks = {worst:E2}; " +
                         $"build + fill {built.TotalSeconds:F1} s, forward (1 × 2 channels) {clock.Elapsed.TotalSeconds:F1} s, {get_num_threads()} threads");
    }

    private static double CheckFingerprints(NormWear model, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture("fingerprints.json")));
        var meta = doc.RootElement.GetProperty(name);
        long[] Longs(string p) => meta.GetProperty(p).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        long stride = meta.GetProperty("stride").GetInt64(), count = meta.GetProperty("count").GetInt64();
        var maxAbs = meta.GetProperty("max_abs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var fp = LoadNpy($"{name}_fp.npy");
        Assert.Equal(model.BlockCount + 1, (int)fp.shape[0]);

        var h = model.Embed(ClosedFormInput(Longs("input_shape")));
        Assert.Equal(Longs("shape"), h.shape);
        Assert.Equal(560, h.shape[1]);
        double worst = 0;
        for (int k = 0; k <= model.BlockCount; k++)
        {
            if (k > 0) h = model.RunBlock(k - 1, h);
            var sample = h.flatten()[TensorIndex.Slice(0, null, stride)][TensorIndex.Slice(0, count)];
            double rel = (sample - fp[k]).abs().max().ToDouble() / maxAbs[k];
            string what = k == 0 ? $"{name} embed" : $"{name} block {k - 1}";
            Assert.True(rel < Tolerance, $"{what}: max|Δ|/max|ref| = {rel:E3} (max|ref| {maxAbs[k]:E3})");
            Assert.InRange(h.abs().max().ToDouble(), maxAbs[k] * (1 - Tolerance), maxAbs[k] * (1 + Tolerance));
            worst = Math.Max(worst, rel);
        }
        return worst;
    }

    [Fact]
    public void A388SampleWindowGives560TokensPerChannel()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Assert.Equal(560, NormWearConfig.Full.Tokens(NormWearInput.ScalogramLength));
        var model = new NormWear(NormWearConfig.Tiny);
        model.Freeze();
        var h = model.RunTo(model.BlockCount, zeros([2, 3, 3, 388, 65]));
        Assert.Equal([6L, 560, 32], h.shape);
        Assert.Equal(3, model.Channels);
        Assert.Equal([560L, 32], model.BlockInputShape(2, [3, 3, 388, 65]));
        Assert.Equal([2L, 3, 560, 32], model.PerChannel(h).shape);
        Assert.True(model.BlockFuses(0) && !model.BlockFuses(1) && model.BlockFuses(2));
    }

    [Fact]
    public void SinCosTableMatchesTheReference()
    {
        using var scope = NewDisposeScope();
        var fresh = new NormWear(NormWearConfig.Tiny).state_dict()["pos_embed"];
        var loaded = LoadTiny().state_dict()["pos_embed"];
        Assert.True((fresh - loaded).abs().max().ToDouble() < 1e-6);
    }

    [Fact]
    public void FusionRejectsABatchThatIsNotAMultipleOfTheChannels()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new NormWear(NormWearConfig.Tiny) { Channels = 3 };
        var ex = Assert.Throws<InvalidOperationException>(() => model.RunBlock(0, zeros(4, 560, 32)));
        Assert.Contains("channel count 3", ex.Message);
        model.Channels = 2;
        Assert.Equal([4L, 560, 32], model.RunBlock(0, zeros(4, 560, 32)).shape);
    }

    [Fact]
    public void ScalogramHelperStacksPerChannelCwts()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(7);
        var windows = new[] { Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, NormWearInput.WindowSamples).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray() };
        var s = NormWearInput.Scalograms(windows);
        Assert.Equal([1L, 2, 3, 388, 65], s.shape);
        var expected = RickerCwt.NormWearScalogram(windows[0][1]);
        Assert.Equal(expected, s[0, 1].flatten().data<float>().ToArray());
        var viaTensor = NormWearInput.Scalograms(tensor(windows[0].SelectMany(c => c).ToArray(), [1, 2, NormWearInput.WindowSamples]));
        Assert.True(viaTensor.equal(s).all().item<bool>());
    }
}
