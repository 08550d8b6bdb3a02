using BioXBridge.Signals;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// NormWear (Luo et al. 2024), the MAE encoder of upstream <c>modules/normwear.py</c>. <see cref="Full"/> is the
/// released model: (3, 388, 65) scalograms → Conv2d patches (9, 5) → 43 × 13 = 559 + CLS = 560 tokens of 768;
/// <see cref="Tiny"/> keeps topology, patching and names at small widths. Norm epsilons follow upstream: the ViT blocks
/// build their LayerNorms with eps 1e-6, while the final <c>norm</c> is a plain <c>nn.LayerNorm</c> (eps 1e-5).
/// <see cref="Channels"/> is the number of sensor channels the fusion layers assume when no input has been embedded
/// yet (FOG: 3 EMG channels); <see cref="NormWear.Embed"/> overrides it with the input's channel count.
/// </summary>
public sealed record NormWearConfig(int EmbedDim = 768, int Depth = 12, int Heads = 12, double MlpRatio = 4.0,
                                    int InChannels = 3, int PatchTime = 9, int PatchScale = 5,
                                    int GridTime = 43, int GridScale = 13, int FuseFrequency = 2,
                                    double BlockNormEps = 1e-6, double FinalNormEps = 1e-5, int Channels = 3)
{
    public static NormWearConfig Full => new();
    public static NormWearConfig Tiny => new(EmbedDim: 32, Depth: 4, Heads: 4);

    public int MlpHidden => (int)(EmbedDim * MlpRatio);

    /// <summary>Patch grid (time, scale) of a (length, scales) scalogram: non-overlapping Conv2d windows.</summary>
    public (long Time, long Scale) Grid(long length, long scales) =>
        ((length - PatchTime) / PatchTime + 1, (scales - PatchScale) / PatchScale + 1);

    /// <summary>Tokens per channel: patches + CLS (560 for a 388 × 65 scalogram).</summary>
    public long Tokens(long length, long scales = 65)
    {
        var (t, s) = Grid(length, scales);
        return t * s + 1;
    }
}

/// <summary>timm-style attention (<c>attn.qkv</c>, <c>attn.proj</c>); plain softmax(q·kᵀ/√d)·v, no dropout at inference.</summary>
internal sealed class NormWearAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv, proj;
    private readonly int heads;

    public NormWearAttention(int dim, int heads) : base("Attention")
    {
        this.heads = heads;
        qkv = Linear(dim, dim * 3, hasBias: true);
        proj = Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2], hd = c / heads;
        var parts = qkv.call(x).reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var attn = functional.softmax(q.matmul(k.transpose(-2, -1)).mul(Scalars.Of(1.0 / Math.Sqrt(hd))), -1);
        return proj.call(attn.matmul(v).transpose(1, 2).reshape(b, n, c));
    }
}

internal sealed class NormWearMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;

    public NormWearMlp(int dim, int hidden) : base("Mlp")
    {
        (fc1, fc2) = (Linear(dim, hidden), Linear(hidden, dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.call(functional.gelu(fc1.call(x)));
}

/// <summary>Pre-LN ViT block (upstream <c>layers.Block</c>: qkv bias, no LayerScale, no drop path at inference).</summary>
internal sealed class NormWearVitBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly NormWearAttention attn;
    private readonly NormWearMlp mlp;

    public NormWearVitBlock(NormWearConfig c) : base("Block")
    {
        norm1 = LayerNorm(c.EmbedDim, c.BlockNormEps);
        attn = new NormWearAttention(c.EmbedDim, c.Heads);
        norm2 = LayerNorm(c.EmbedDim, c.BlockNormEps);
        mlp = new NormWearMlp(c.EmbedDim, c.MlpHidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + attn.call(norm1.call(x));
        return x + mlp.call(norm2.call(x));
    }
}

/// <summary>
/// Upstream <c>EncoderLayer</c>: a ViT block over each channel's 560 tokens (<c>variate_encoder</c>); on layers whose
/// index is a multiple of the fuse frequency, a second ViT block (<c>cls_fusion</c>) attends across the channels'
/// CLS tokens — (B·C, N, E) → (B, C, N, E), the C CLS vectors of a sample form a C-token sequence, and the block's
/// outputs replace the CLS tokens; patch tokens pass through. Channels of one sample must be adjacent in the batch
/// axis (sample-major), as <see cref="NormWear.Embed"/> lays them out.
/// </summary>
internal sealed class NormWearEncoderLayer : Module<Tensor, Tensor>
{
    private readonly NormWearVitBlock variate_encoder;
    private readonly NormWearVitBlock? cls_fusion;

    /// <summary>Channels per sample; set by the owning <see cref="NormWear"/> (upstream assigns <c>blk.nvar</c>).</summary>
    public int Channels { get; set; }

    public NormWearEncoderLayer(NormWearConfig c, int index) : base("EncoderLayer")
    {
        variate_encoder = new NormWearVitBlock(c);
        if (index % c.FuseFrequency == 0) cls_fusion = new NormWearVitBlock(c);
        Channels = c.Channels;
        RegisterComponents();
    }

    public bool Fuses => cls_fusion is not null;

    public override Tensor forward(Tensor x)
    {
        var h = variate_encoder.call(x);
        if (cls_fusion is null) return h;
        long bc = h.shape[0], n = h.shape[1], e = h.shape[2];
        if (Channels < 1 || bc % Channels != 0)
            throw new InvalidOperationException(
                $"NormWear fusion layer: leading axis {bc} is not a multiple of the channel count {Channels}; " +
                "embed an input of the right shape first or set NormWear.Channels");
        var z = h.view(bc / Channels, Channels, n, e);
        var cls = cls_fusion.call(z[.., .., 0, ..]).unsqueeze(2);
        return cat([cls, z[.., .., 1.., ..]], 2).reshape(bc, n, e);
    }
}

internal sealed class NormWearPatchEmbed : Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public NormWearPatchEmbed(NormWearConfig c) : base("PatchEmbed_new")
    {
        proj = Conv2d(c.InChannels, c.EmbedDim, (c.PatchTime, c.PatchScale), stride: (c.PatchTime, c.PatchScale));
        RegisterComponents();
    }

    /// <summary>(N, 3, L, F) → (N, h·w, E), patches in row-major (time, scale) order.</summary>
    public override Tensor forward(Tensor x) => proj.call(x).flatten(2).transpose(1, 2);
}

/// <summary>
/// NormWear encoder. Input (batch, channels, 3, L, 65) scalograms (see <see cref="NormWearInput"/>); every block sees
/// and returns (batch·channels, tokens, d) with the channels of one sample adjacent — the layout the bridge writes one
/// recording's tokens into (<see cref="Bridge.BridgeConfig.Groups"/>). Block k is upstream <c>encoder_blocks[k]</c>, fusion
/// included, so the fusion layers need the channel count: it is stored here (<see cref="Channels"/>), set by every
/// <see cref="Embed"/> call from the input's channel axis (what upstream's <c>get_signal_embedding</c> does with
/// <c>blk.nvar = nvar</c>) and settable for callers that start at a later block (a bridge feeding blocks l..L−1). The final <c>norm</c> is not part of any block: like every
/// <see cref="LayeredEncoder"/>, the last block output is returned before the final norm (apply
/// <see cref="FinalNorm"/> to reproduce upstream's embedding). Parameter names equal upstream's state-dict keys
/// (<c>patch_embed.proj</c>, <c>cls_token</c>, <c>pos_embed</c>, <c>encoder_blocks.N.variate_encoder.*</c>,
/// <c>encoder_blocks.N.cls_fusion.*</c> for even N, <c>norm</c>), so the checkpoint's <c>model</c> dict loads once
/// the decoder keys (<c>decoder_*</c>, <c>mask_token</c>, <c>temporal_recon</c>, <c>spatial_recon</c>) are dropped.
/// </summary>
public sealed class NormWear : LayeredEncoder
{
    private readonly NormWearPatchEmbed patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed; // fixed 2-D sin-cos; a frozen Parameter upstream, so it is in the state dict
    private readonly ModuleList<NormWearEncoderLayer> encoder_blocks;
    private readonly LayerNorm norm;
    private int channels;

    public NormWearConfig Config { get; }

    public NormWear(NormWearConfig config) : base(nameof(NormWear))
    {
        Config = config;
        patch_embed = new NormWearPatchEmbed(config);
        cls_token = Parameter(zeros(1, 1, config.EmbedDim));
        pos_embed = Parameter(SinCosPositionEmbedding(config.EmbedDim, config.GridTime, config.GridScale).unsqueeze(0),
                              requires_grad: false);
        encoder_blocks = new ModuleList<NormWearEncoderLayer>(
            Enumerable.Range(0, config.Depth).Select(i => new NormWearEncoderLayer(config, i)).ToArray());
        norm = LayerNorm(config.EmbedDim, config.FinalNormEps);
        RegisterComponents();
        Channels = config.Channels;
    }

    public override int BlockCount => Config.Depth;
    public override FeatureLayout Layout => FeatureLayout.TokenMajor;
    public override int OutputDim => Config.EmbedDim;
    public override object Settings => Config;

    /// <summary>Channels per sample the fusion layers assume; <see cref="Embed"/> sets it from its input.</summary>
    public int Channels
    {
        get => channels;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "NormWear needs at least one channel");
            channels = value;
            foreach (var layer in encoder_blocks) layer.Channels = value;
        }
    }

    /// <summary>One row per sensor channel: pooling and the alignment target gather a recording's channels.</summary>
    public override int RowsPerRecording => Channels;

    /// <summary>Whether block k carries a channel-fusion step (even k for the released fuse frequency 2).</summary>
    public bool BlockFuses(int k) => encoder_blocks[k].Fuses;

    /// <summary>(batch, channels, 3, L, F) → (batch·channels, 1 + patches, d); (batch, 3, L, F) counts as one channel.</summary>
    public override Tensor Embed(Tensor input)
    {
        if (input.dim() == 4) input = input.unsqueeze(1);
        if (input.dim() != 5 || input.shape[2] != Config.InChannels)
            throw new ArgumentException($"NormWear expects (batch, channels, {Config.InChannels}, length, scales); got ({string.Join(", ", input.shape)})");
        long b = input.shape[0], c = input.shape[1], l = input.shape[3], f = input.shape[4];
        Channels = (int)c;
        var x = patch_embed.call(input.reshape(b * c, Config.InChannels, l, f));
        var pos = PositionEmbedding(Config.Grid(l, f));
        x = x + pos[.., 1.., ..];
        var cls = (cls_token + pos[.., ..1, ..]).expand(x.shape[0], -1, -1);
        return cat([cls, x], 1);
    }

    protected override Module<Tensor, Tensor> Block(int k) => encoder_blocks[k];

    /// <summary>Upstream's final LayerNorm (applied after the last block in <c>get_signal_embedding</c>).</summary>
    public Tensor FinalNorm(Tensor h) => norm.call(h);

    /// <summary>(batch·channels, N, d) → (batch, channels, N, d) with the current <see cref="Channels"/>.</summary>
    public Tensor PerChannel(Tensor h) => h.reshape(h.shape[0] / Channels, Channels, h.shape[1], h.shape[2]);

    /// <summary>
    /// The stored table for the trained 43 × 13 grid; other grids get upstream's <c>pos_adjust</c>: the patch rows
    /// bicubically resized (align_corners = false), the CLS row kept.
    /// </summary>
    private Tensor PositionEmbedding((long Time, long Scale) grid)
    {
        if (grid.Time == Config.GridTime && grid.Scale == Config.GridScale) return pos_embed;
        var d = Config.EmbedDim;
        var patches = pos_embed[.., 1.., ..].reshape(1, Config.GridTime, Config.GridScale, d).permute(0, 3, 1, 2);
        var resized = functional.interpolate(patches, [grid.Time, grid.Scale], mode: InterpolationMode.Bicubic, align_corners: false);
        return cat([pos_embed[.., ..1, ..], resized.permute(0, 2, 3, 1).flatten(1, 2)], 1);
    }

    /// <summary>
    /// MAE's fixed 2-D sin-cos table with a zero CLS row: grid index (t, s) → [1-D(d/2) of s, 1-D(d/2) of t], each 1-D
    /// code [sin(p·ω), cos(p·ω)] with ω_i = 10000^(−i/(d/4)). Upstream meshgrids with the scale axis first, so the first
    /// half encodes the scale (column) index. ω in float32 as numpy computes it; the products in float64.
    /// </summary>
    public static Tensor SinCosPositionEmbedding(int dim, int gridTime, int gridScale)
    {
        if (dim % 4 != 0) throw new ArgumentException($"embedding width {dim} must be a multiple of 4", nameof(dim));
        int half = dim / 2, quarter = dim / 4;
        var omega = new double[quarter];
        for (int i = 0; i < quarter; i++) omega[i] = (float)(1.0 / Math.Pow(10000, (float)((float)i / (half / 2f))));
        var table = new float[(1 + gridTime * gridScale) * dim];
        for (int t = 0; t < gridTime; t++)
            for (int s = 0; s < gridScale; s++)
            {
                int row = (1 + t * gridScale + s) * dim;
                for (int i = 0; i < quarter; i++)
                {
                    double ps = s * omega[i], pt = t * omega[i];
                    table[row + i] = (float)Math.Sin(ps);
                    table[row + quarter + i] = (float)Math.Cos(ps);
                    table[row + half + i] = (float)Math.Sin(pt);
                    table[row + half + quarter + i] = (float)Math.Cos(pt);
                }
            }
        return tensor(table, [1 + gridTime * gridScale, dim]);
    }
}

/// <summary>
/// NormWear's input for FOG EMG: per-channel z-scored 130-Hz windows of 390 samples (3 s) → for each channel the
/// Ricker scalograms of the signal, its first and its second difference, aligned to 388 samples, at 65 widths
/// (upstream <c>spec_cwt</c>; <see cref="RickerCwt.NormWearScalogram"/>) → (batch, channels, 3, 388, 65).
/// The z-score is over the whole file and belongs to the dataset preparation, not to this helper.
/// </summary>
public static class NormWearInput
{
    public const int SampleRate = 130;
    public const int WindowSamples = 390;
    public const int ScalogramLength = WindowSamples - 2;
    public static int Scales => RickerCwt.NormWearWidths.Length;

    /// <summary>windows[b][c] = one channel's samples (any length ≥ 3; 390 for FOG). Channels run in parallel.</summary>
    public static Tensor Scalograms(IReadOnlyList<double[][]> windows)
    {
        if (windows.Count == 0) throw new ArgumentException("no windows", nameof(windows));
        int b = windows.Count, c = windows[0].Length, n = windows[0][0].Length;
        foreach (var w in windows)
        {
            if (w.Length != c) throw new ArgumentException($"every window needs {c} channels; found one with {w.Length}", nameof(windows));
            foreach (var ch in w)
                if (ch.Length != n) throw new ArgumentException($"every channel needs {n} samples; found {ch.Length}", nameof(windows));
        }
        int per = 3 * (n - 2) * Scales;
        var data = new float[(long)b * c * per];
        Parallel.For(0, b * c, i =>
        {
            var s = RickerCwt.NormWearScalogram(windows[i / c][i % c]);
            Array.Copy(s, 0, data, (long)i * per, per);
        });
        return tensor(data, [b, c, 3, n - 2, Scales]);
    }

    /// <summary>(batch, channels, samples) float tensor → (batch, channels, 3, samples − 2, 65).</summary>
    public static Tensor Scalograms(Tensor windows)
    {
        if (windows.dim() != 3) throw new ArgumentException($"expected (batch, channels, samples); got ({string.Join(", ", windows.shape)})");
        long b = windows.shape[0], c = windows.shape[1], n = windows.shape[2];
        var flat = windows.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var list = new double[b][][];
        for (long i = 0; i < b; i++)
        {
            list[i] = new double[c][];
            for (long j = 0; j < c; j++) list[i][j] = flat.AsSpan((int)((i * c + j) * n), (int)n).ToArray();
        }
        return Scalograms(list);
    }
}
