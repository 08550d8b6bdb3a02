using System.Text.Json;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// Each foundation model's checkpoint as its upstream code saves it, made by the upstream model class itself at the
/// published size (tools/golden/upstream_checkpoint_layouts.py: real key names, shapes, dtypes and outer dict, one
/// tagged value per tensor) → the manifest's rules, as <c>bioxbridge models convert</c> applies them → strict load
/// into the full-size port. Every port tensor must then hold the tag of the upstream tensor it came from.
/// </summary>
public class UpstreamLayoutTests
{
    private static readonly string Dir = Path.Combine(CheckpointTests.Dir, "upstream");
    private static readonly JsonElement Layouts = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "layouts.json"))).RootElement;

    /// <summary>Converts like the CLI (manifest rules, manifest's expected_tensors), loads strictly, checks every tag.</summary>
    private static ConversionReport ConvertAndLoad(string model, string fixture, Func<string, string> sourceKey)
    {
        var tags = Layouts.GetProperty(fixture).GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => (Tag: t.GetProperty("tag").GetDouble(),
                                                                         Shape: t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()));
        var dir = CheckpointTests.TempDir();
        try
        {
            var output = Path.Combine(dir, model + ".safetensors");
            var report = CheckpointConverter.Convert(ModelManifest.Find(model), Path.Combine(Dir, fixture), output);
            Assert.True(report.Checked);
            using var port = ModelZoo.All.Single(e => e.Name == model).Full();
            var state = port.state_dict();
            Assert.Equal(state.Count, StrictLoader.Load(port, output));
            Assert.Equal(state.Count, report.Written);
            foreach (var (name, t) in state)
            {
                var (tag, shape) = tags[sourceKey(name)];
                Assert.Equal(shape, t.shape);
                double lo = t.min().to_type(ScalarType.Float64).item<double>(), hi = t.max().to_type(ScalarType.Float64).item<double>();
                Assert.True(lo == tag && hi == tag, $"{model} {name}: values in [{lo}, {hi}], expected the tag {tag} of upstream '{sourceKey(name)}'");
            }
            return report;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static void AssertDroppedExactly(ConversionReport report, params string[] keys) =>
        Assert.Equal(keys.Order(StringComparer.Ordinal), report.Dropped.Select(d => d[..d.IndexOf(" (", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));

    [Fact]
    public void LabramBasePretrainingCheckpointConvertsAndLoadsStrictly()
    {
        // NeuralTransformerForMEM as saved by upstream utils.save_model: the encoder under 'student.' and beside it
        // the pre-training lm_head and projection_head (and the published file's logit_scale); only 'student.' is kept
        var report = ConvertAndLoad("labram-base", "labram_base.pth", k => "student." + k);
        Assert.Equal("model", report.RootKey);
        AssertDroppedExactly(report, "student.mask_token", "student.lm_head.weight", "student.lm_head.bias",
                             "lm_head.weight", "lm_head.bias", "projection_head.0.weight", "projection_head.0.bias", "logit_scale");
        Assert.Contains(report.Dropped, d => d == "projection_head.0.weight (not under student.)");
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("args (argparse.Namespace)"));
        Assert.Equal(["optimizer", "epoch", "args", "scaler"], report.SkippedNonTensors.Select(s => s[..s.IndexOf(' ')]));
    }

    [Fact]
    public void HubertEcgSmallCheckpointConvertsAndLoadsStrictly()
    {
        // HuBERTECG (transformers HubertModel + final_proj + label_embedding) under 'model_state_dict', weight norm in
        // torch ≥ 2.1's parametrization names, next to the pickled HuBERTECGConfig
        var report = ConvertAndLoad("hubert-ecg-small", "hubert_ecg_small.pt",
            k => k.Replace(".weight_g", ".parametrizations.weight.original0").Replace(".weight_v", ".parametrizations.weight.original1"));
        Assert.Equal("model_state_dict", report.RootKey);
        Assert.Empty(report.Dropped);
        Assert.Equal(2, report.Renamed.Count);
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("model_config (hubert_ecg.HuBERTECGConfig)"));
    }

    [Fact]
    public void PapageiSCheckpointConvertsAndLoadsStrictly()
    {
        // ResNet1DMoE's state dict saved through DDP: flat, 'module.' on every key, nothing dropped
        var report = ConvertAndLoad("papagei-s", "papagei_s.pt", k => "module." + k);
        Assert.Equal("", report.RootKey);
        Assert.Empty(report.Dropped);
        Assert.Empty(report.SkippedNonTensors);
    }

    [Theory]
    [InlineData("normwear.pth", "model")]
    [InlineData("normwear_flat.pth", "")]
    public void NormWearCheckpointConvertsAndLoadsStrictly(string fixture, string rootKey)
    {
        // the whole MAE (encoder, decoder, mask token, reconstruction heads), under 'model' as pretraining saves it or
        // bare as upstream's main_model.py loads it; the encoder is kept
        var report = ConvertAndLoad("normwear", fixture, k => k);
        Assert.Equal(rootKey, report.RootKey);
        var upstream = Layouts.GetProperty(fixture).GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Equal(upstream.Count - report.Written, report.Dropped.Count);
        Assert.All(report.Dropped, d => Assert.Matches(@"^(mask_token|decoder\w*|(temporal|spatial)_recon\.)", d));
        Assert.Contains(report.Dropped, d => d.StartsWith("decoder_blocks.0."));
    }
}
