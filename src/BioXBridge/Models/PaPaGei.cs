using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// PaPaGei's ResNet1DMoE encoder shape (Pillai et al., ICLR 2025): a stem conv and pre-activation basic blocks that
/// downsample on odd blocks and double channels every <see cref="IncreaseFilterEvery"/> blocks from block 4.
/// <see cref="Full"/> is PaPaGei-S; <see cref="Tiny"/> keeps the topology (18 blocks, same lengths) at small widths.
/// <see cref="Experts"/> &gt; 0 adds the rest of upstream's ResNet1DMoE (final_bn, dense → <see cref="OutputDim"/>, and
/// two mixture-of-experts regression heads with that many experts each), so the published checkpoint loads strictly;
/// the encoder forward never reads them (the bridge reads block outputs). 0 keeps the encoder-only layout that the
/// demo's Tiny weights were saved with, and is left out of the JSON so their hashed file names stay what they were.
/// </summary>
public sealed record PaPaGeiConfig(int BaseFilters = 32, int Blocks = 18, int Kernel = 3, int Stride = 2,
                                   int DownsampleEvery = 2, int IncreaseFilterEvery = 4, int OutputDim = 512,
                                   double Dropout = 0.5,
                                   [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Experts = 0)
{
    /// <summary>PaPaGei-S as published (Zenodo 13983110, papagei_s.pt): ResNet1DMoE(n_classes 512, n_experts 3).</summary>
    public static PaPaGeiConfig Full => new(Experts: 3);

    /// <summary>
    /// Same blocks, lengths and key names at 1/8 width. Dropout is off: trained from scratch on a few hundred windows,
    /// 18 stacked dropout → batch-norm pairs shift the variance between train and eval mode so far that the eval-mode
    /// teacher collapses to one class (Li et al., CVPR 2019). Dropout has no parameters, so weights stay compatible.
    /// </summary>
    public static PaPaGeiConfig Tiny => new(BaseFilters: 4, OutputDim: 64, Dropout: 0);

    public int InChannels(int block) => block == 0 ? BaseFilters : BaseFilters << ((block - 1) / IncreaseFilterEvery);
    public int OutChannels(int block) => block != 0 && block % IncreaseFilterEvery == 0 ? InChannels(block) * 2 : InChannels(block);
    public bool Downsamples(int block) => block % DownsampleEvery == 1;
    public int LastChannels => OutChannels(Blocks - 1);
}

/// <summary>"SAME" padding computed at run time, as upstream's MyConv1dPadSame (pad_left = p // 2).</summary>
internal sealed class Conv1dPadSame : Module<Tensor, Tensor>
{
    private readonly Conv1d conv;
    private readonly int kernel, stride;

    public Conv1dPadSame(int inCh, int outCh, int kernel, int stride) : base(nameof(Conv1dPadSame))
    {
        (this.kernel, this.stride) = (kernel, stride);
        conv = Conv1d(inCh, outCh, kernel, stride: stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long n = x.shape[^1], outLen = (n + stride - 1) / stride;
        long p = Math.Max(0, (outLen - 1) * stride + kernel - n);
        return conv.call(functional.pad(x, [p / 2, p - p / 2]));
    }
}

/// <summary>Max-pool with SAME padding (upstream MyMaxPool1dPadSame): the identity path of a downsampling block.</summary>
internal sealed class MaxPool1dPadSame : Module<Tensor, Tensor>
{
    private readonly int kernel;
    public MaxPool1dPadSame(int kernel) : base(nameof(MaxPool1dPadSame)) => this.kernel = kernel;

    public override Tensor forward(Tensor x)
    {
        int p = Math.Max(0, kernel - 1);
        return functional.max_pool1d(functional.pad(x, [p / 2, p - p / 2]), kernel);
    }
}

/// <summary>Pre-activation basic block; field names match upstream so checkpoints load.</summary>
internal sealed class PaPaGeiBlock : Module<Tensor, Tensor>
{
    private readonly BatchNorm1d bn1, bn2;
    private readonly Module<Tensor, Tensor> relu1, relu2, do1, do2;
    private readonly Conv1dPadSame conv1, conv2;
    private readonly MaxPool1dPadSame max_pool;
    private readonly bool first, downsample;
    private readonly int inCh, outCh;

    public PaPaGeiBlock(PaPaGeiConfig c, int block) : base(nameof(PaPaGeiBlock))
    {
        (inCh, outCh, first, downsample) = (c.InChannels(block), c.OutChannels(block), block == 0, c.Downsamples(block));
        int stride = downsample ? c.Stride : 1;
        bn1 = BatchNorm1d(inCh); relu1 = ReLU(); do1 = Dropout(c.Dropout);
        conv1 = new Conv1dPadSame(inCh, outCh, c.Kernel, stride);
        bn2 = BatchNorm1d(outCh); relu2 = ReLU(); do2 = Dropout(c.Dropout);
        conv2 = new Conv1dPadSame(outCh, outCh, c.Kernel, 1);
        max_pool = new MaxPool1dPadSame(stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = first ? x : do1.call(relu1.call(bn1.call(x)));
        h = conv2.call(do2.call(relu2.call(bn2.call(conv1.call(h)))));
        var identity = downsample ? max_pool.call(x) : x;
        if (outCh != inCh)
        {
            // widen the identity with zero channels split evenly before and after, as upstream does
            int before = (outCh - inCh) / 2;
            identity = functional.pad(identity.transpose(-1, -2), [before, outCh - inCh - before]).transpose(-1, -2);
        }
        return h + identity;
    }
}

/// <summary>PaPaGei encoder: input (batch, 1, samples at 125 Hz); blocks see (batch, channels, length).</summary>
public sealed class PaPaGei : LayeredEncoder
{
    private readonly Conv1dPadSame first_block_conv;
    private readonly BatchNorm1d first_block_bn;
    private readonly Module<Tensor, Tensor> first_block_relu;
    private readonly ModuleList<PaPaGeiBlock> basicblock_list;
    // upstream's head, present when Config.Experts > 0; the encoder forward stops at the last block
    private readonly BatchNorm1d? final_bn;
    private readonly Linear? dense;
    private readonly ModuleList<Sequential>? expert_layers_1, expert_layers_2;
    private readonly Sequential? gating_network_1, gating_network_2;

    public PaPaGeiConfig Config { get; }

    public PaPaGei(PaPaGeiConfig config) : base(nameof(PaPaGei))
    {
        Config = config;
        first_block_conv = new Conv1dPadSame(1, config.BaseFilters, config.Kernel, 1);
        first_block_bn = BatchNorm1d(config.BaseFilters);
        first_block_relu = ReLU();
        basicblock_list = new ModuleList<PaPaGeiBlock>(
            Enumerable.Range(0, config.Blocks).Select(b => new PaPaGeiBlock(config, b)).ToArray());
        if (config.Experts > 0)
        {
            int c = config.LastChannels, e = config.Experts;
            final_bn = BatchNorm1d(c);
            dense = Linear(c, config.OutputDim);
            expert_layers_1 = new ModuleList<Sequential>(Enumerable.Range(0, e).Select(_ =>
                Sequential(Linear(c, c / 2), ReLU(), Linear(c / 2, 1))).ToArray());
            gating_network_1 = Sequential(Linear(c, e), Softmax(1));
            expert_layers_2 = new ModuleList<Sequential>(Enumerable.Range(0, e).Select(_ =>
                Sequential(Linear(c, c / 2), ReLU(), Dropout(0.3), Linear(c / 2, 1))).ToArray());
            gating_network_2 = Sequential(Linear(c, e), Softmax(1));
        }
        RegisterComponents();
    }

    /// <summary>
    /// Upstream's head on the last block output (batch, channels, length): final_bn → ReLU → mean over time → dense
    /// (the PaPaGei embedding), and the two MoE regression outputs (batch, 1). Not part of the bridge's path.
    /// </summary>
    public (Tensor Embedding, Tensor Moe1, Tensor Moe2) UpstreamHeads(Tensor lastBlockOutput)
    {
        if (final_bn is null) throw new InvalidOperationException("this PaPaGei was built without heads (Experts = 0)");
        var pooled = functional.relu(final_bn.call(lastBlockOutput)).mean([-1]);
        Tensor Moe(ModuleList<Sequential> experts, Sequential gate) =>
            (gate.call(pooled).unsqueeze(2) * stack(experts.Select(x => x.call(pooled)).ToArray(), 1)).sum(1);
        return (dense!.call(pooled), Moe(expert_layers_1!, gating_network_1!), Moe(expert_layers_2!, gating_network_2!));
    }

    public override int BlockCount => Config.Blocks;
    public override FeatureLayout Layout => FeatureLayout.ChannelMajor;
    public override int OutputDim => Config.LastChannels;
    public override object Settings => Config;

    public override Tensor Embed(Tensor input) =>
        first_block_relu.call(first_block_bn.call(first_block_conv.call(input.dim() == 2 ? input.unsqueeze(1) : input)));

    protected override Module<Tensor, Tensor> Block(int k) => basicblock_list[k];
}
