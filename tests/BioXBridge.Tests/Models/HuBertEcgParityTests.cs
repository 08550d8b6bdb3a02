using System.Text.Json;
using BioXBridge.Data;
using BioXBridge.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// Reads the fixtures of tools/golden/{hubert_ecg,papagei}_reference.py: meta.json (state-dict keys and shapes, output
/// shapes, fingerprint strides), full tiny outputs, and full-size fingerprints [max|ref|, ref.flatten()[::stride]].
/// </summary>
internal sealed class EcgPpgParityFixture
{
    public const double Tolerance = 1e-4;
    private readonly string dir;
    private readonly JsonElement meta;

    public EcgPpgParityFixture(string model)
    {
        dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", model);
        meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json"))).RootElement;
    }

    public string WeightsPath => Path.Combine(dir, "tiny_weights.pt");

    public Tensor Load(string name)
    {
        var a = Npy.Read(Path.Combine(dir, name + ".npy"));
        return tensor(a.AsFloat32(), a.Shape);
    }

    public long[] Shape(string size, string name) =>
        meta.GetProperty(size).GetProperty("shapes").GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();

    /// <summary>Asserts that the module's state dict has exactly the reference's keys with the same shapes.</summary>
    public void AssertSameKeys(string size, nn.Module module)
    {
        var expected = meta.GetProperty(size).GetProperty("keys").EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Join("x", p.Value.EnumerateArray().Select(e => e.GetInt64())));
        var actual = module.state_dict().ToDictionary(kv => kv.Key, kv => string.Join("x", kv.Value.shape));
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var unexpected = actual.Keys.Except(expected.Keys).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"missing: [{string.Join(", ", missing)}]; unexpected: [{string.Join(", ", unexpected)}]");
        foreach (var (k, shape) in expected) Assert.True(shape == actual[k], $"{k}: {actual[k]} vs reference {shape}");
    }

    /// <summary>max|Δ| / max|ref| on a whole tiny output.</summary>
    /// <summary>Runs the embedding and every block on the tiny input, comparing each; returns the worst error and the last output.</summary>
    public (double Worst, Tensor Last) CompareTinyTrace(BioXBridge.Models.LayeredEncoder net)
    {
        var h = net.Embed(Load("tiny_input"));
        double worst = CompareTiny("embed", h);
        for (int k = 0; k < net.BlockCount; k++)
        {
            h = net.RunBlock(k, h);
            worst = Math.Max(worst, CompareTiny($"block{k:00}", h));
        }
        return (worst, h);
    }

    public double CompareTiny(string name, Tensor actual)
    {
        using var _ = NewDisposeScope();
        var expected = Load("tiny_" + name);
        Assert.Equal(expected.shape, actual.shape);
        double err = (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>()
                     / expected.abs().max().item<float>();
        Assert.True(err < Tolerance, $"tiny {name}: max|Δ|/max|ref| = {err:E2}");
        return err;
    }

    /// <summary>max|Δ| / max|ref| on the strided sample of a full-size output (and max|ref| itself).</summary>
    public double CompareFull(string name, Tensor actual)
    {
        using var _ = NewDisposeScope();
        Assert.Equal(Shape("full", name), actual.shape);
        var fp = Load("full_" + name);
        long stride = meta.GetProperty("full").GetProperty("strides").GetProperty(name).GetInt64();
        var sample = actual.reshape(-1)[TensorIndex.Slice(null, null, stride)].to_type(ScalarType.Float64);
        var maxRef = fp[0].item<float>();
        var reference = fp[1..].to_type(ScalarType.Float64);
        Assert.Equal(reference.shape, sample.shape);
        double err = (sample - reference).abs().max().item<double>() / maxRef;
        double maxErr = Math.Abs(actual.abs().max().item<float>() - maxRef) / maxRef;
        Assert.True(err < Tolerance, $"full {name}: max|Δ|/max|ref| = {err:E2}");
        Assert.True(maxErr < Tolerance, $"full {name}: max|out| differs from max|ref| by {maxErr:E2}");
        return Math.Max(err, maxErr);
    }

    public long FullParameters => meta.GetProperty("full").GetProperty("parameters").GetInt64();
}

/// <summary>HuBERT-ECG port against tools/golden/hubert_ecg_reference.py (an independent PyTorch 1.13 implementation).</summary>
public class HuBertEcgParityTests(ITestOutputHelper output)
{
    private static readonly EcgPpgParityFixture Fixture = new("hubert_ecg");

    /// <summary>Tiny widths with every optional upstream parameter on, as the reference's TINY config.</summary>
    private static HuBertEcgConfig TinyWithHeads => HuBertEcgConfig.Tiny with
    {
        MaskedSpecEmbed = true, PretrainingVocabSizes = [12, 7], ClassifierProjSize = 32,
    };

    [Fact]
    public void TinyLoadsTheReferenceCheckpointStrictlyAndMatchesEveryBlock()
    {
        using var net = new HuBertEcg(TinyWithHeads);
        Fixture.AssertSameKeys("tiny", net);
        net.load_py(Fixture.WeightsPath, strict: true);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (worst, h) = Fixture.CompareTinyTrace(net);
        Assert.Equal(new long[] { 2, 46, 64 }, h.shape);
        // strictness has teeth: without the optional upstream parameters the same checkpoint is refused
        using var bare = new HuBertEcg(HuBertEcgConfig.Tiny);
        Assert.ThrowsAny<Exception>(() => bare.load_py(Fixture.WeightsPath, strict: true));
        output.WriteLine($"HuBERT-ECG tiny: worst max|Δ|/max|ref| over embed + {net.BlockCount} blocks = {worst:E2}");
    }

    [Fact]
    public void SmallWithSyntheticWeightsMatchesTheReferenceOn6000Samples()
    {
        using var net = new HuBertEcg(HuBertEcgConfig.Small);
        Fixture.AssertSameKeys("full", net);
        SyntheticWeights.Fill(net);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var h = net.Embed(Fixture.Load("full_input"));
        Assert.Equal(new long[] { 1, 93, 512 }, h.shape);
        double worst = Fixture.CompareFull("embed", h);
        for (int k = 0; k < net.BlockCount; k++)
        {
            h = net.RunBlock(k, h);
            worst = Math.Max(worst, Fixture.CompareFull($"block{k:00}", h));
        }
        Assert.Equal(new long[] { 46, 512 }, net.BlockInputShape(4, [3000]));
        output.WriteLine($"HuBERT-ECG small: worst max|Δ|/max|ref| over embed + {net.BlockCount} blocks = {worst:E2}");
    }

    [Fact]
    public void SmallHasThePapersParameterCount()
    {
        using var net = new HuBertEcg(HuBertEcgConfig.Small);
        long all = net.ParameterCount();
        long heads = net.named_parameters().Where(p => p.name.StartsWith("final_proj") || p.name.StartsWith("label_embedding")
                                                        || p.name == "masked_spec_embed").Sum(p => p.parameter.numel());
        output.WriteLine($"HuBERT-ECG small: {all:N0} parameters (all of HubertModel incl. masked_spec_embed, plus " +
                         $"final_proj/label_embedding for vocab [100]); without those {all - heads:N0}; paper ≈ 30.4M");
        Assert.Equal(Fixture.FullParameters, all);
        Assert.Equal(30_366_592, all);
        Assert.InRange(all, 30_350_000, 30_449_999); // rounds to the paper's 30.4M
    }

    [Fact]
    public void TinyConfigKeepsTheEncoderOnlyLayoutOfTheEmbeddedWeights()
    {
        using var net = new HuBertEcg(HuBertEcgConfig.Tiny);
        var keys = net.state_dict().Keys;
        Assert.DoesNotContain("masked_spec_embed", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("final_proj") || k.StartsWith("label_embedding"));
        using var pp = new PaPaGei(PaPaGeiConfig.Tiny);
        Assert.DoesNotContain(pp.state_dict().Keys, k => k.StartsWith("final_bn") || k.StartsWith("dense") || k.Contains("expert") || k.Contains("gating"));
    }
}
