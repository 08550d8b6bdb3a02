using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>A port at the published width (<see cref="Full"/>) or at small widths with the same topology and key names.</summary>
public enum ModelSize { Full, Tiny }

/// <summary>
/// One registered foundation model and everything a direction needs to use it in either role without naming it:
/// factories at full and tiny size, <see cref="Input"/> (prepared windows of its modality → the model's input, e.g.
/// LaBraM's ÷100 and 1-s patches, NormWear's scalograms), and <see cref="Build"/>, which sizes the port for one
/// input shape (LaBraM's time-embedding rows, NormWear's channel count). What differs per recording (NormWear's
/// channel rows) the encoder itself reports through <see cref="LayeredEncoder.RowsPerRecording"/>.
/// <see cref="BenchInput"/> and <see cref="BenchBatch"/> size the full-size benchmarks (<c>bioxbridge bench</c>).
/// </summary>
public sealed record ZooEntry(string Name, string DisplayName, Func<LayeredEncoder> Full, Func<LayeredEncoder> Tiny,
                              string CountIncludes, long[] BenchInput)
{
    /// <summary>Windows per benchmark pass: 8, NormWear 2 (one window is 3 channels × 560 tokens through 768-wide blocks).</summary>
    public int BenchBatch { get; init; } = 8;

    /// <summary>File name of the manifest under data-manifests/models/.</summary>
    public string ManifestFile => Name + ".json";

    /// <summary>Windows (N, channels, samples…) as prepared for this model's modality → the model's input batch.</summary>
    public Func<Tensor, Tensor> Input { get; init; } = x => x;

    /// <summary>The port's configuration records at both sizes and how one becomes a port for an input shape.</summary>
    public required SizedConfigs Configs { get; init; }

    /// <summary>The configuration record type <c>settings</c> address.</summary>
    public Type ConfigType => Configs.ConfigType;

    /// <summary>
    /// The port at <paramref name="size"/> for one model input of shape <paramref name="inputShape"/> (no batch axis), with
    /// a direction's <c>settings</c> applied to its configuration record (<see cref="ConfigOverrides"/>).
    /// </summary>
    public LayeredEncoder Build(ModelSize size, long[] inputShape, JsonObject? settings = null) => Configs.Build(size, inputShape, settings);

    public static long CountParameters(torch.nn.Module m) => m.parameters().Sum(p => p.numel());
}

/// <summary>A port's configuration type and its sizing, built by <see cref="Of"/> so each zoo entry names its records once.</summary>
public sealed record SizedConfigs(Type ConfigType, Func<ModelSize, long[], JsonObject?, LayeredEncoder> Build)
{
    /// <summary><paramref name="build"/> makes the port from the size's record, <c>settings</c> applied, and the input shape.</summary>
    public static SizedConfigs Of<TConfig>(TConfig full, TConfig tiny, Func<TConfig, long[], LayeredEncoder> build) where TConfig : class =>
        new(typeof(TConfig), (size, shape, settings) => build(ConfigOverrides.Apply(size == ModelSize.Full ? full : tiny, settings), shape));
}

/// <summary>The foundation models the kit knows, by manifest name (<c>bioxbridge models info</c> lists them).</summary>
public static class ModelZoo
{
    public static readonly IReadOnlyList<ZooEntry> All =
    [
        new("labram-base", "LaBraM-Base (EEG)",
            // the published labram-base.pth layout (final 'norm', no fc_norm, 16 time positions: benched at 6 × 16 s)
            () => new LaBraM(LaBraMConfig.PretrainedStudent), () => new LaBraM(LaBraMConfig.Tiny),
            "TemporalConv patch embedding, cls token, channel and time position embeddings, 12 blocks and the final norm",
            [6, 16, 200])
        {
            Input = x => LaBraM.PrepareInput(x),
            // one time_embed row per 1-s patch: ISRUC's 30-s epochs need 30 (LabramTimeEmbedding says how a 16-row
            // published table reaches them)
            Configs = SizedConfigs.Of(LaBraMConfig.PretrainedStudent, LaBraMConfig.Tiny,
                                      (c, shape) => new LaBraM(c with { TimePositions = Math.Max(c.TimePositions, (int)shape[1]) })),
        },
        new("hubert-ecg-small", "HuBERT-ECG small (ECG)", () => new HuBertEcg(HuBertEcgConfig.Small), () => new HuBertEcg(HuBertEcgConfig.Tiny),
            "whole published checkpoint: encoder (conv feature extractor, feature projection, positional conv, 8 layers) + masked_spec_embed + pre-training heads (final_proj, label_embedding)",
            [6000])
        {
            Configs = SizedConfigs.Of(HuBertEcgConfig.Small, HuBertEcgConfig.Tiny, (c, _) => new HuBertEcg(c)),
        },
        new("papagei-s", "PaPaGei-S (PPG)", () => new PaPaGei(PaPaGeiConfig.Full), () => new PaPaGei(PaPaGeiConfig.Tiny),
            "whole published ResNet1DMoE: stem + 18 basic blocks (the bridge's encoder) + final_bn, dense and the two MoE regression heads",
            [1, 7500])
        {
            Configs = SizedConfigs.Of(PaPaGeiConfig.Full, PaPaGeiConfig.Tiny, (c, _) => new PaPaGei(c)),
        },
        new("normwear", "NormWear (wearables)", () => new NormWear(NormWearConfig.Full), () => new NormWear(NormWearConfig.Tiny),
            "MAE encoder only (patch embedding, cls token, fixed sin-cos pos_embed, 12 layers with their 6 channel-fusion blocks, final norm); the published file's decoder (≈8.0M, total ≈136.1M as in the paper) is dropped",
            [3, 3, 388, 65])
        {
            BenchBatch = 2,
            // raw (N, channels, samples) windows become per-channel scalograms; prepared scalograms pass through
            Input = x => x.dim() == 3 ? NormWearInput.Scalograms(x) : x,
            Configs = SizedConfigs.Of(NormWearConfig.Full, NormWearConfig.Tiny, (c, shape) => new NormWear(c with { Channels = (int)shape[0] })),
        },
    ];

    public static ZooEntry? Find(string name) => All.FirstOrDefault(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static ZooEntry Get(string name) => Find(name)
        ?? throw new ArgumentException($"unknown model '{name}'; the zoo has {string.Join(", ", All.Select(e => e.Name))}");
}
