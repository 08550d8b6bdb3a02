using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// LaBraM (Jiang et al., ICLR 2024) as upstream's fine-tuning model <c>NeuralTransformer</c> builds it
/// (modeling_finetune.py, <c>labram_base_patch200_200</c>, use_mean_pooling, no relative position bias).
/// <see cref="Full"/> is LaBraM-Base; <see cref="Tiny"/> keeps the topology and key names at small widths.
/// The embedding width is not free: <c>TemporalConv</c> turns a 200-sample patch into 25 steps × <see cref="ConvChannels"/>.
/// </summary>
/// <param name="QkvBias">upstream's <c>q_bias</c>/<c>v_bias</c> (k gets none). Off in <c>labram_base_patch200_200</c> and in
/// the README's fine-tuning command (<c>--disable_qkv_bias</c>); turn on for checkpoints fine-tuned with the script's default.</param>
/// <param name="ChannelPositions">rows of <c>pos_embed</c> after the CLS row (upstream: 128 → a 1 × 129 × d parameter).</param>
/// <param name="TimePositions">rows of <c>time_embed</c>: the longest input in patches (upstream 16; the ISRUC runs used 30).</param>
/// <param name="UseMeanPooling">upstream's default: <c>fc_norm</c> exists and <c>norm</c> is an identity; false swaps them.</param>
/// <param name="NumClasses">width of upstream's <c>head</c>; 0 = identity head without parameters (the pre-trained checkpoint has none).</param>
public sealed record LaBraMConfig(int ConvChannels = 8, int Depth = 12, int Heads = 10, int MlpRatio = 4,
                                  int ChannelPositions = 128, int TimePositions = 16, bool QkvBias = false,
                                  double LayerScaleInit = 0.1, double LayerNormEps = 1e-6, bool UseMeanPooling = true,
                                  int NumClasses = 0, int PatchSize = 200)
{
    /// <summary>LaBraM-Base as the fine-tuning model holds it (fc_norm, no head): the layout of fine-tuned checkpoints.</summary>
    public static LaBraMConfig Full => new();
    /// <summary>
    /// LaBraM-Base with the pre-training student's keys (<c>labram-base.pth</c>, <c>student.</c> stripped, after dropping
    /// <c>mask_token</c>, <c>lm_head.*</c> and <c>relative_position_index</c>): a final <c>norm</c> instead of <c>fc_norm</c>.
    /// Pre-training ran with qkv_bias=False, so neither has <c>q_bias</c>/<c>v_bias</c>.
    /// </summary>
    public static LaBraMConfig PretrainedStudent => new(UseMeanPooling: false);
    public static LaBraMConfig Tiny => new(ConvChannels: 4, Depth: 3, Heads: 4, MlpRatio: 2, ChannelPositions: 16,
                                              TimePositions: 8, QkvBias: true, NumClasses: 3);

    /// <summary>Steps left by conv1 (kernel 15, stride 8, padding 7) on one patch: 200 → 25.</summary>
    public int ConvSteps => (PatchSize + 2 * 7 - 15) / 8 + 1;
    public int EmbedDim => ConvSteps * ConvChannels;
    public int MlpHidden => EmbedDim * MlpRatio;
    /// <summary>1 (CLS) + channels × patches: ISRUC 6 × 30 → 181, FOG 6 × 3 → 19.</summary>
    public static long Tokens(long channels, long patches) => 1 + channels * patches;
}

/// <summary>
/// How LaBraM's published 16-row time embedding reaches inputs of more 1-s patches (ISRUC's 30-s epochs). The released
/// BioX-Bridge code re-declares 30 rows, its loader skips the mismatched tensor, and its ISRUC runs therefore use a
/// randomly initialised time embedding; interpolating the published rows keeps what pre-training learned.
/// </summary>
public enum LabramTimeEmbedding
{
    /// <summary>As the release: the longer table starts from its seeded initialisation (trunc-normal, std 0.02).</summary>
    Release,
    /// <summary>The published rows linearly interpolated (align_corners) to the longer table.</summary>
    Interpolate,
}

/// <summary>How a bridge output laid out (batch, d_l, N_l) becomes LaBraM's (batch, N_l, d_l) block input.</summary>
public enum LabramOutputLayout
{
    /// <summary>Swap the two axes: token i stays token i (the paper's meaning; default).</summary>
    Transpose,
    /// <summary>Reinterpret the memory as (batch, N_l, d_l), as the released code does; this scrambles tokens.</summary>
    Reshape,
}

/// <summary>Upstream <c>TemporalConv</c>: three convolutions along time, each followed by GroupNorm(4) and GELU.</summary>
internal sealed class LabramTemporalConv : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly GroupNorm norm1, norm2, norm3;
    private readonly Module<Tensor, Tensor> gelu1 = GELU(), gelu2 = GELU(), gelu3 = GELU();

    public LabramTemporalConv(int outChans) : base("TemporalConv")
    {
        conv1 = Conv2d(1, outChans, kernel_size: (1, 15), stride: (1, 8), padding: (0, 7));
        conv2 = Conv2d(outChans, outChans, kernel_size: (1, 3), padding: (0, 1));
        conv3 = Conv2d(outChans, outChans, kernel_size: (1, 3), padding: (0, 1));
        (norm1, norm2, norm3) = (Norm(outChans), Norm(outChans), Norm(outChans));
        RegisterComponents();
    }

    private static GroupNorm Norm(int channels)
    {
        var gn = GroupNorm(4, channels);
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised; PyTorch starts them at 1 and 0
        using (no_grad()) { gn.weight!.fill_(1); gn.bias!.zero_(); }
        return gn;
    }

    /// <summary>(B, C, A, P) → (B, C·A, steps·channels), tokens channel-major (token c·A + a), features step-major.</summary>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], na = x.shape[1] * x.shape[2];
        var h = x.reshape(b, 1, na, x.shape[3]);
        h = gelu1.call(norm1.call(conv1.call(h)));
        h = gelu2.call(norm2.call(conv2.call(h)));
        h = gelu3.call(norm3.call(conv3.call(h)));
        // upstream rearranges 'B C NA T -> B NA (T C)': the conv channel is the fastest-varying feature index
        return h.permute(0, 2, 3, 1).reshape(b, na, -1);
    }
}

/// <summary>Upstream <c>Attention</c> with q/k LayerNorm per head and no relative position bias.</summary>
internal sealed class LabramAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv, proj;
    private readonly Parameter? q_bias, v_bias;
    private readonly LayerNorm q_norm, k_norm;
    private readonly int heads;
    private readonly double scale;

    public LabramAttention(LaBraMConfig c) : base("Attention")
    {
        int d = c.EmbedDim, hd = d / c.Heads;
        heads = c.Heads;
        scale = Math.Pow(hd, -0.5);
        qkv = Linear(d, 3 * d, hasBias: false); // upstream keeps k bias-free: its bias is cat(q_bias, 0, v_bias)
        if (c.QkvBias) { q_bias = Parameter(zeros(d)); v_bias = Parameter(zeros(d)); }
        (q_norm, k_norm) = (LayerNorm(hd, c.LayerNormEps), LayerNorm(hd, c.LayerNormEps));
        proj = Linear(d, d);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], n = x.shape[1];
        var bias = q_bias is null ? null : cat([q_bias, zeros_like(v_bias!), v_bias!]);
        var t = functional.linear(x, qkv.weight!, bias).reshape(b, n, 3, heads, -1).permute(2, 0, 3, 1, 4);
        var q = q_norm.call(t[0]).mul(Scalars.Of(scale)); // upstream scales after the norm
        var k = k_norm.call(t[1]);
        var attn = functional.softmax(q.matmul(k.transpose(-2, -1)), -1);
        return proj.call(attn.matmul(t[2]).transpose(1, 2).reshape(b, n, -1));
    }
}

internal sealed class LabramMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;
    private readonly Module<Tensor, Tensor> act = GELU();

    public LabramMlp(int dim, int hidden) : base("Mlp")
    {
        (fc1, fc2) = (Linear(dim, hidden), Linear(hidden, dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.call(act.call(fc1.call(x)));
}

/// <summary>Upstream pre-norm <c>Block</c> with LayerScale (<c>gamma_1</c>, <c>gamma_2</c>) when its init value is positive.</summary>
internal sealed class LabramBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly LabramAttention attn;
    private readonly LabramMlp mlp;
    private readonly Parameter? gamma_1, gamma_2;

    public LabramBlock(LaBraMConfig c) : base("Block")
    {
        norm1 = LayerNorm(c.EmbedDim, c.LayerNormEps);
        attn = new LabramAttention(c);
        norm2 = LayerNorm(c.EmbedDim, c.LayerNormEps);
        mlp = new LabramMlp(c.EmbedDim, c.MlpHidden);
        if (c.LayerScaleInit > 0)
        {
            gamma_1 = Parameter(full(c.EmbedDim, c.LayerScaleInit));
            gamma_2 = Parameter(full(c.EmbedDim, c.LayerScaleInit));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var a = attn.call(norm1.call(x));
        x = x + (gamma_1 is null ? a : gamma_1 * a);
        var m = mlp.call(norm2.call(x));
        return x + (gamma_2 is null ? m : gamma_2 * m);
    }
}

/// <summary>
/// LaBraM encoder. Input (B, C, A, 200): C channels cut into A one-second patches at 200 Hz, amplitude already ÷ 100
/// (see <see cref="PrepareInput"/>). <see cref="Embed"/> returns the input of block 0, (B, 1 + C·A, d): CLS first, then
/// tokens channel-major (token 1 + c·A + a = channel c, second a), each patch token plus <c>time_embed[a]</c> (and plus
/// <c>pos_embed</c> when <see cref="InputChans"/> is set; CLS gets no time embedding). Blocks keep that shape; the
/// encoder output is the last block's output, before <c>norm</c>/<c>fc_norm</c>/<c>head</c>, which exist only so
/// checkpoints load strictly (<see cref="Classify"/> applies them as upstream does).
/// </summary>
public sealed class LaBraM : LayeredEncoder
{
    private readonly LabramTemporalConv patch_embed;
    private readonly Parameter cls_token, pos_embed, time_embed;
    private readonly ModuleList<LabramBlock> blocks;
    private readonly LayerNorm? norm, fc_norm;
    private readonly Linear? head;

    public LaBraMConfig Config { get; }

    /// <summary>
    /// Upstream's <c>input_chans</c>: rows of <c>pos_embed</c> to use, CLS row (0) first, then 1 + the 10-20 electrode
    /// index of each input channel. Null (the paper's runs) adds no channel position embedding.
    /// </summary>
    public long[]? InputChans { get; set; }

    public LaBraM(LaBraMConfig config) : base(nameof(LaBraM))
    {
        Config = config;
        int d = config.EmbedDim;
        if (d % config.Heads != 0) throw new ArgumentException($"embed dim {d} is not divisible by {config.Heads} heads");
        patch_embed = new LabramTemporalConv(config.ConvChannels);
        cls_token = Parameter(TruncNormal(1, 1, d));
        pos_embed = Parameter(TruncNormal(1, config.ChannelPositions + 1, d));
        time_embed = Parameter(TruncNormal(1, config.TimePositions, d));
        blocks = new ModuleList<LabramBlock>(Enumerable.Range(0, config.Depth).Select(_ => new LabramBlock(config)).ToArray());
        if (config.UseMeanPooling) fc_norm = LayerNorm(d, config.LayerNormEps);
        else norm = LayerNorm(d, config.LayerNormEps);
        if (config.NumClasses > 0) head = Linear(d, config.NumClasses);
        RegisterComponents();
    }

    private static Tensor TruncNormal(params long[] shape)
    {
        var t = empty(shape);
        using (no_grad()) init.trunc_normal_(t, std: 0.02);
        return t;
    }

    public override int BlockCount => Config.Depth;
    public override FeatureLayout Layout => FeatureLayout.TokenMajor;
    public override int OutputDim => Config.EmbedDim;
    public override object Settings => Config;
    protected override Module<Tensor, Tensor> Block(int k) => blocks[k];

    public override Tensor Embed(Tensor input)
    {
        if (input.dim() != 4 || input.shape[3] != Config.PatchSize)
            throw new ArgumentException($"LaBraM expects (batch, channels, patches, {Config.PatchSize}); got ({string.Join(", ", input.shape)})");
        long b = input.shape[0], ch = input.shape[1], a = input.shape[2];
        if (a > Config.TimePositions)
            throw new ArgumentException($"{a} patches exceed time_embed's {Config.TimePositions} positions (set LaBraMConfig.TimePositions)");
        var tokens = patch_embed.call(input);
        var cls = cls_token.expand(b, -1, -1);
        if (InputChans is { } chans)
        {
            if (chans.Length != ch + 1) throw new ArgumentException($"InputChans needs {ch + 1} entries (CLS row first); got {chans.Length}");
            var pos = pos_embed.index_select(1, tensor(chans, device: pos_embed.device));
            cls = cls + pos[.., ..1];
            tokens = tokens + pos[.., 1..].unsqueeze(2).expand(b, -1, a, -1).flatten(1, 2);
        }
        // time_embed[a] goes to every channel's patch a; CLS gets none
        tokens = tokens + time_embed[.., ..(int)a].unsqueeze(1).expand(b, ch, -1, -1).flatten(1, 2);
        return cat([cls, tokens], 1);
    }

    /// <summary>Upstream's classification path on a last-block output: mean over patch tokens → fc_norm → head (or CLS → norm → head).</summary>
    public Tensor Classify(Tensor lastBlockOutput)
    {
        var pooled = fc_norm is not null ? fc_norm.call(lastBlockOutput[.., 1..].mean([1])) : norm!.call(lastBlockOutput)[.., 0];
        return head is null ? pooled : head.call(pooled);
    }

    /// <summary>
    /// The data-preparation step: raw µV (B, C, samples at 200 Hz) → ÷ 100 → (B, C, samples/200, 200), patch a holding
    /// samples [200a, 200a + 200).
    /// </summary>
    public static Tensor PrepareInput(Tensor microvolts, int patchSize = 200)
    {
        if (microvolts.dim() != 3 || microvolts.shape[2] % patchSize != 0)
            throw new ArgumentException($"expected (batch, channels, k·{patchSize} samples); got ({string.Join(", ", microvolts.shape)})");
        return microvolts.to_type(ScalarType.Float32).div(Scalars.Of(100)).reshape(microvolts.shape[0], microvolts.shape[1], -1, patchSize);
    }

    /// <summary>
    /// The time embedding a LaBraM with more patches than the published 16 starts from: its own seeded initialisation
    /// (<see cref="LabramTimeEmbedding.Release"/>, what the released code ends up with) or the published rows linearly
    /// interpolated along time with the end rows kept (<see cref="LabramTimeEmbedding.Interpolate"/>).
    /// </summary>
    public static Tensor TimeEmbeddingFor(Tensor published, Tensor initial, LabramTimeEmbedding mode) =>
        mode == LabramTimeEmbedding.Release ? initial.detach().clone()
        : functional.interpolate(published.transpose(1, 2), [initial.shape[1]], mode: InterpolationMode.Linear, align_corners: true).transpose(1, 2).contiguous();

    /// <summary>
    /// A bridge output (B, d_l, N_l) as a LaBraM block input (B, N_l, d_l): by transposing (default) or by the released
    /// code's reshape of the same memory (<see cref="LabramOutputLayout.Reshape"/>), which mixes features of different tokens.
    /// </summary>
    public static Tensor ToBlockInput(Tensor featureMajor, LabramOutputLayout layout = LabramOutputLayout.Transpose) =>
        layout == LabramOutputLayout.Transpose
            ? featureMajor.transpose(1, 2)
            : featureMajor.reshape(featureMajor.shape[0], featureMajor.shape[2], featureMajor.shape[1]);
}
