using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// PaPaGei's ResNet1DMoE encoder shape (Pillai et al., ICLR 2025): a stem conv and pre-activation basic blocks that
/// downsample on odd blocks and double channels every <see cref="IncreaseFilterEvery"/> blocks from block 4.
/// <see cref="Full"/> is PaPaGei-S; <see cref="Tiny"/> keeps the topology (18 blocks, same lengths) at small widths.
/// </summary>
public sealed record PaPaGeiConfig(int BaseFilters = 32, int Blocks = 18, int Kernel = 3, int Stride = 2,
                                   int DownsampleEvery = 2, int IncreaseFilterEvery = 4, int OutputDim = 512,
                                   double Dropout = 0.5)
{
    public static PaPaGeiConfig Full => new();

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

    public PaPaGeiConfig Config { get; }

    public PaPaGei(PaPaGeiConfig config) : base(nameof(PaPaGei))
    {
        Config = config;
        first_block_conv = new Conv1dPadSame(1, config.BaseFilters, config.Kernel, 1);
        first_block_bn = BatchNorm1d(config.BaseFilters);
        first_block_relu = ReLU();
        basicblock_list = new ModuleList<PaPaGeiBlock>(
            Enumerable.Range(0, config.Blocks).Select(b => new PaPaGeiBlock(config, b)).ToArray());
        RegisterComponents();
    }

    public override int BlockCount => Config.Blocks;
    public override FeatureLayout Layout => FeatureLayout.ChannelMajor;
    public override int OutputDim => Config.LastChannels;

    public override Tensor Embed(Tensor input) =>
        first_block_relu.call(first_block_bn.call(first_block_conv.call(input.dim() == 2 ? input.unsqueeze(1) : input)));

    protected override Module<Tensor, Tensor> Block(int k) => basicblock_list[k];
}
