using TorchSharp;

namespace BioXBridge.Models;

/// <summary>
/// One registered foundation model: its manifest name, factories at full and tiny size, what its parameter count
/// covers, and how to benchmark it: the per-sample input at the paper's shape and the PyTorch reference script
/// (<c>tools/golden/&lt;script&gt; --bench B</c>) that times the same forward.
/// </summary>
public sealed record ZooEntry(string Name, string DisplayName, Func<LayeredEncoder> Full, Func<LayeredEncoder> Tiny,
                              string CountIncludes, long[] BenchInput, string ReferenceScript, string ReferenceArgs = "")
{
    /// <summary>File name of the manifest under data-manifests/models/.</summary>
    public string ManifestFile => Name + ".json";

    public static long CountParameters(torch.nn.Module m) => m.parameters().Sum(p => p.numel());
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
            [6, 16, 200], "labram_reference.py", "--channels 6 --patches 16 --threads {threads}"),
        new("hubert-ecg-small", "HuBERT-ECG small (ECG)", () => new HuBertEcg(HuBertEcgConfig.Small), () => new HuBertEcg(HuBertEcgConfig.Tiny),
            "whole published checkpoint: encoder (conv feature extractor, feature projection, positional conv, 8 layers) + masked_spec_embed + pre-training heads (final_proj, label_embedding)",
            [6000], "hubert_ecg_reference.py"),
        new("papagei-s", "PaPaGei-S (PPG)", () => new PaPaGei(PaPaGeiConfig.Full), () => new PaPaGei(PaPaGeiConfig.Tiny),
            "whole published ResNet1DMoE: stem + 18 basic blocks (the bridge's encoder) + final_bn, dense and the two MoE regression heads",
            [1, 7500], "papagei_reference.py"),
        new("normwear", "NormWear (wearables)", () => new NormWear(NormWearConfig.Full), () => new NormWear(NormWearConfig.Tiny),
            "MAE encoder only (patch embedding, cls token, fixed sin-cos pos_embed, 12 layers with their 6 channel-fusion blocks, final norm); the published file's decoder (≈8.0M, total ≈136.1M as in the paper) is dropped",
            [3, 3, 388, 65], "normwear_reference.py"),
    ];

    public static ZooEntry? Find(string name) => All.FirstOrDefault(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
