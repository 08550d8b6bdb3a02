using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// HuBERT-ECG (Coppola et al. 2024) in Hugging Face's HubertModel layout: a strided conv feature extractor, a feature
/// projection, a grouped positional convolution and post-LN transformer layers. <see cref="Small"/> is the paper's
/// model (100 Hz input: 6000 samples → 93 tokens); <see cref="Tiny"/> keeps the topology at small widths.
/// The last three fields add parameters that the published checkpoint carries but the encoder forward never reads, so
/// that it loads strictly: <see cref="MaskedSpecEmbed"/> is HubertModel's <c>masked_spec_embed</c> (present when the
/// config's mask_time_prob or mask_feature_prob is above 0, as in pre-training); <see cref="PretrainingVocabSizes"/>
/// and <see cref="ClassifierProjSize"/> are HuBERTECG's pre-training heads, one <c>final_proj.i</c>
/// Linear(hidden → proj) and one <c>label_embedding.i</c> Embedding(vocab_i, proj) per codebook of the ensemble. They
/// are left out of the JSON when off, so the hashed file names of the demo's Tiny weights stay what they were.
/// </summary>
public sealed record HuBertEcgConfig(int ConvChannels = 512, int[]? ConvKernels = null, int[]? ConvStrides = null,
                                     int Hidden = 512, int Layers = 8, int Heads = 8, int FeedForward = 2048,
                                     int PosConvKernel = 128, int PosConvGroups = 16, double LayerNormEps = 1e-5,
                                     [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool MaskedSpecEmbed = false,
                                     [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? PretrainingVocabSizes = null,
                                     [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int ClassifierProjSize = 0)
{
    public int[] Kernels => ConvKernels ?? [10, 3, 3, 2, 2];
    public int[] Strides => ConvStrides ?? [4, 2, 2, 2, 2];

    /// <summary>
    /// HuBERT-ECG small as published (Edoardo-BS/hubert-ecg-small): HubertModel with masked_spec_embed, plus
    /// HuBERTECGConfig's default single codebook head (vocab_sizes [100], classifier_proj_size 256). A checkpoint
    /// trained with another ensemble sets <see cref="PretrainingVocabSizes"/> from its config.
    /// </summary>
    public static HuBertEcgConfig Small => new(MaskedSpecEmbed: true, PretrainingVocabSizes: [100], ClassifierProjSize: 256);
    public static HuBertEcgConfig Tiny => new(ConvChannels: 64, Hidden: 64, Layers: 4, Heads: 4, FeedForward: 256,
                                              PosConvKernel: 16, PosConvGroups: 4);

    public long Tokens(long samples) =>
        Kernels.Zip(Strides).Aggregate(samples, (n, ks) => (n - ks.First) / ks.Second + 1);
}

internal sealed class FeatureConvLayer : Module<Tensor, Tensor>
{
    private readonly Conv1d conv;
    private readonly Module<Tensor, Tensor>? layer_norm; // a GroupNorm named as upstream names it
    private readonly Module<Tensor, Tensor> activation = GELU();

    public FeatureConvLayer(int inCh, int outCh, int kernel, int stride, bool groupNorm) : base(nameof(FeatureConvLayer))
    {
        conv = Conv1d(inCh, outCh, kernel, stride: stride, bias: false);
        if (groupNorm)
        {
            var gn = GroupNorm(outCh, outCh, affine: true);
            // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised; PyTorch starts them at 1 and 0
            using (no_grad()) { gn.weight!.fill_(1); gn.bias!.zero_(); }
            layer_norm = gn;
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = conv.call(x);
        return activation.call(layer_norm is null ? h : layer_norm.call(h));
    }
}

internal sealed class FeatureExtractor : Module<Tensor, Tensor>
{
    private readonly ModuleList<FeatureConvLayer> conv_layers;

    public FeatureExtractor(HuBertEcgConfig c) : base(nameof(FeatureExtractor))
    {
        conv_layers = new ModuleList<FeatureConvLayer>(c.Kernels.Select((k, i) =>
            new FeatureConvLayer(i == 0 ? 1 : c.ConvChannels, c.ConvChannels, k, c.Strides[i], groupNorm: i == 0)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor samples)
    {
        var h = samples.unsqueeze(1);
        foreach (var layer in conv_layers) h = layer.call(h);
        return h;
    }
}

internal sealed class FeatureProjection : Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm;
    private readonly Linear projection;

    public FeatureProjection(HuBertEcgConfig c) : base(nameof(FeatureProjection))
    {
        layer_norm = LayerNorm(c.ConvChannels, c.LayerNormEps);
        projection = Linear(c.ConvChannels, c.Hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => projection.call(layer_norm.call(x));
}

/// <summary>Grouped conv with weight normalisation over dim 2 (weight = g · v / ‖v‖), kept as weight_g / weight_v.</summary>
internal sealed class PositionalConv : Module<Tensor, Tensor>
{
    private readonly Parameter weight_g, weight_v, bias;
    private readonly int groups, padding;

    public PositionalConv(int hidden, int kernel, int groups) : base("conv")
    {
        (this.groups, padding) = (groups, kernel / 2);
        var v = empty(hidden, hidden / groups, kernel);
        init.kaiming_normal_(v);
        weight_g = Parameter(v.pow(2).sum([0, 1], keepdim: true).sqrt());
        weight_v = Parameter(v); // takes over v's native handle
        bias = Parameter(zeros(hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var w = weight_g * weight_v / weight_v.square().sum([0, 1], keepdim: true).sqrt();
        return functional.conv1d(x, w, bias, padding: padding, groups: groups);
    }
}

internal sealed class PositionalConvEmbedding : Module<Tensor, Tensor>
{
    private readonly PositionalConv conv;
    private readonly bool dropLast;

    public PositionalConvEmbedding(HuBertEcgConfig c) : base(nameof(PositionalConvEmbedding))
    {
        conv = new PositionalConv(c.Hidden, c.PosConvKernel, c.PosConvGroups);
        dropLast = c.PosConvKernel % 2 == 0; // an even kernel with padding k/2 makes one step too many
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var h = conv.call(tokens.transpose(1, 2));
        if (dropLast) h = h[.., .., ..^1];
        return functional.gelu(h).transpose(1, 2);
    }
}

internal sealed class SelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear q_proj, k_proj, v_proj, out_proj;
    private readonly int heads;

    public SelfAttention(int hidden, int heads) : base(nameof(SelfAttention))
    {
        this.heads = heads;
        (q_proj, k_proj, v_proj, out_proj) = (Linear(hidden, hidden), Linear(hidden, hidden), Linear(hidden, hidden), Linear(hidden, hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], n = x.shape[1], d = x.shape[2], hd = d / heads;
        Tensor Split(Tensor t) => t.view(b, n, heads, hd).transpose(1, 2);
        var (q, k, v) = (Split(q_proj.call(x)), Split(k_proj.call(x)), Split(v_proj.call(x)));
        var attn = functional.softmax(q.matmul(k.transpose(-1, -2)).div(Scalars.Of(Math.Sqrt(hd))), -1);
        return out_proj.call(attn.matmul(v).transpose(1, 2).reshape(b, n, d));
    }
}

internal sealed class FeedForward : Module<Tensor, Tensor>
{
    private readonly Linear intermediate_dense, output_dense;

    public FeedForward(int hidden, int inner) : base(nameof(FeedForward))
    {
        (intermediate_dense, output_dense) = (Linear(hidden, inner), Linear(inner, hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => output_dense.call(functional.gelu(intermediate_dense.call(x)));
}

/// <summary>Post-LN transformer layer (HubertEncoderLayer with do_stable_layer_norm = false).</summary>
internal sealed class HuBertLayer : Module<Tensor, Tensor>
{
    private readonly SelfAttention attention;
    private readonly LayerNorm layer_norm, final_layer_norm;
    private readonly FeedForward feed_forward;

    public HuBertLayer(HuBertEcgConfig c) : base(nameof(HuBertLayer))
    {
        attention = new SelfAttention(c.Hidden, c.Heads);
        layer_norm = LayerNorm(c.Hidden, c.LayerNormEps);
        feed_forward = new FeedForward(c.Hidden, c.FeedForward);
        final_layer_norm = LayerNorm(c.Hidden, c.LayerNormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = layer_norm.call(x + attention.call(x));
        return final_layer_norm.call(h + feed_forward.call(h));
    }
}

internal sealed class HuBertEncoder : Module<Tensor, Tensor>
{
    public readonly PositionalConvEmbedding pos_conv_embed;
    public readonly LayerNorm layer_norm;
    public readonly ModuleList<HuBertLayer> layers;

    public HuBertEncoder(HuBertEcgConfig c) : base(nameof(HuBertEncoder))
    {
        pos_conv_embed = new PositionalConvEmbedding(c);
        layer_norm = LayerNorm(c.Hidden, c.LayerNormEps);
        layers = new ModuleList<HuBertLayer>(Enumerable.Range(0, c.Layers).Select(_ => new HuBertLayer(c)).ToArray());
        RegisterComponents();
    }

    /// <summary>Everything before the first layer; the layers themselves are run one by one by the encoder.</summary>
    public override Tensor forward(Tensor tokens) => layer_norm.call(tokens + pos_conv_embed.call(tokens));
}

/// <summary>HuBERT-ECG encoder: input (batch, samples at 100 Hz); blocks see (batch, tokens, hidden).</summary>
public sealed class HuBertEcg : LayeredEncoder
{
    private readonly FeatureExtractor feature_extractor;
    private readonly FeatureProjection feature_projection;
    private readonly HuBertEncoder encoder;
    // upstream parameters the encoder forward never reads (SpecAugment's mask vector, the pre-training heads)
    private readonly Parameter? masked_spec_embed;
    private readonly ModuleList<Linear>? final_proj;
    private readonly ModuleList<Embedding>? label_embedding;

    public HuBertEcgConfig Config { get; }

    public HuBertEcg(HuBertEcgConfig config) : base(nameof(HuBertEcg))
    {
        Config = config;
        feature_extractor = new FeatureExtractor(config);
        feature_projection = new FeatureProjection(config);
        if (config.MaskedSpecEmbed) masked_spec_embed = Parameter(empty(config.Hidden).uniform_(0, 1)); // as HubertModel
        encoder = new HuBertEncoder(config);
        if (config.PretrainingVocabSizes is { Length: > 0 } vocab)
        {
            if (config.ClassifierProjSize <= 0) throw new ArgumentException("pre-training heads need ClassifierProjSize > 0", nameof(config));
            final_proj = new ModuleList<Linear>(vocab.Select(_ => Linear(config.Hidden, config.ClassifierProjSize)).ToArray());
            label_embedding = new ModuleList<Embedding>(vocab.Select(v => Embedding(v, config.ClassifierProjSize)).ToArray());
        }
        RegisterComponents();
    }

    public override int BlockCount => Config.Layers;
    public override FeatureLayout Layout => FeatureLayout.TokenMajor;
    public override int OutputDim => Config.Hidden;
    public override object Settings => Config;

    public override Tensor Embed(Tensor input)
    {
        if (input.dim() == 3) input = input.squeeze(1); // (batch, 1 lead, samples) → (batch, samples)
        var features = feature_extractor.call(input).transpose(1, 2);
        return encoder.call(feature_projection.call(features));
    }

    protected override Module<Tensor, Tensor> Block(int k) => encoder.layers[k];
}
