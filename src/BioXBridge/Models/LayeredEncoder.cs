using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Where the feature axis sits in a block's activations.</summary>
public enum FeatureLayout
{
    /// <summary>(batch, tokens, features): transformers (LaBraM, HuBERT-ECG, NormWear).</summary>
    TokenMajor,
    /// <summary>(batch, channels, length): convolutional nets (PaPaGei); channels are the features.</summary>
    ChannelMajor,
}

/// <summary>
/// A foundation model cut at its block boundaries, so a bridge can read the output of new-model block m and feed
/// old-model blocks l..L-1. Blocks always run through <c>call</c>, never <c>forward</c>, so hooks users attach fire.
/// Positions follow the paper: m ∈ 1..M reads the output of block m−1 (0-based); l ∈ 0..L−1 replaces the input of
/// block l (l = 0 replaces the embedding output).
/// </summary>
public abstract class LayeredEncoder : nn.Module<Tensor, Tensor>
{
    protected LayeredEncoder(string name) : base(name) { }

    // every convolution of the kit runs inside an encoder: NNPACK is settled before the first one is built
    static LayeredEncoder() => Nnpack.DisableWhereUnsupported();

    public abstract int BlockCount { get; }
    public abstract FeatureLayout Layout { get; }
    /// <summary>Feature width of the last block's output (what the task head reads).</summary>
    public abstract int OutputDim { get; }

    /// <summary>The port's configuration record (widths, depth, …): part of every cached weight file's recipe.</summary>
    public abstract object Settings { get; }

    /// <summary>Model input → input of block 0.</summary>
    public abstract Tensor Embed(Tensor input);

    protected abstract nn.Module<Tensor, Tensor> Block(int k);

    /// <summary>
    /// The module of block k, for forward hooks: the Python release taps layers that way, so a hook on it must see
    /// exactly what <see cref="RunTo"/> and <see cref="PooledTrace"/> report for that boundary.
    /// </summary>
    public nn.Module<Tensor, Tensor> BlockModule(int k) =>
        k >= 0 && k < BlockCount ? Block(k) : throw new ArgumentOutOfRangeException(nameof(k), k, $"block must be in 0..{BlockCount - 1}");

    /// <summary>
    /// Runs block k in its own dispose scope and hands only its output to the caller's. TorchSharp frees a tensor when its
    /// scope ends, not when the last reference goes as PyTorch does, so a pass through twelve blocks would otherwise hold
    /// every block's intermediates at once: a NormWear pass over two FOG windows peaked at 6.9 GB, 1.8 GB with this.
    /// Autograd keeps what the backward pass needs through its own references, so training loses nothing and holds less
    /// (a full-size ISRUC bridge training process 1.61 → 1.24 GB, at the same speed once <see cref="NativeMemory"/>
    /// keeps freed memory in the process).
    /// </summary>
    public Tensor RunBlock(int k, Tensor h)
    {
        using var scope = NewDisposeScope();
        return Block(k).call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Runs blocks l..L−1 on a tensor shaped like the input of block l; returns the last block's output.</summary>
    public Tensor RunFrom(int l, Tensor h)
    {
        if (l < 0 || l >= BlockCount) throw new ArgumentOutOfRangeException(nameof(l), l, $"output position must be in 0..{BlockCount - 1}");
        for (int k = l; k < BlockCount; k++) h = RunBlock(k, h);
        return h;
    }

    /// <summary>Output of block m−1, i.e. the prefix f[≤m] of the paper (m ∈ 1..M).</summary>
    public Tensor RunTo(int m, Tensor input)
    {
        if (m < 1 || m > BlockCount) throw new ArgumentOutOfRangeException(nameof(m), m, $"input position must be in 1..{BlockCount}");
        return Through(m, input);
    }

    // the embedding, then the first `blocks` blocks: the output of block blocks−1 is the input of block `blocks`
    private Tensor Through(int blocks, Tensor input)
    {
        var h = Embed(input);
        for (int k = 0; k < blocks; k++) h = RunBlock(k, h);
        return h;
    }

    /// <summary>Last block output, before any final norm, pooling or head (the alignment target of Eq. 7).</summary>
    public override Tensor forward(Tensor input) => RunFrom(0, Embed(input));

    /// <summary>
    /// Rows of block activations per recording. 1 for most models; NormWear runs its blocks on (batch·channels, tokens,
    /// d), one row per sensor channel, so everything that speaks of "a sample" (pooling, the alignment target, the
    /// bridge's token layout) must gather that many rows.
    /// </summary>
    public virtual int RowsPerRecording => 1;

    /// <summary>Mean over every non-batch, non-feature axis (for NormWear also over the channel rows): one vector per recording.</summary>
    public Tensor Pool(Tensor h) => Layout == FeatureLayout.ChannelMajor ? h.mean([2])
        : RowsPerRecording == 1 ? h.mean([1])
        : h.reshape(h.shape[0] / RowsPerRecording, -1, h.shape[^1]).mean([1]);

    /// <summary>Block activations flattened per recording, (recordings, rows·tokens·features): the vectors Eq. 7 compares.</summary>
    public Tensor Flatten(Tensor h) => h.reshape(h.shape[0] / RowsPerRecording, -1);

    /// <summary>
    /// One pass that pools every block boundary: element 0 is the pooled embedding output (input of block 0),
    /// element k+1 the pooled output of block k. Position selection reads all layers from this single pass.
    /// </summary>
    public Tensor[] PooledTrace(Tensor input) => Trace(input, Pool);

    /// <summary>Like <see cref="PooledTrace"/> with another reduction of each block boundary's activations.</summary>
    public Tensor[] Trace(Tensor input, Func<Tensor, Tensor> reduce)
    {
        var h = Embed(input);
        var reduced = new Tensor[BlockCount + 1];
        reduced[0] = reduce(h);
        for (int k = 0; k < BlockCount; k++)
        {
            h = RunBlock(k, h);
            reduced[k + 1] = reduce(h);
        }
        return reduced;
    }

    /// <summary>Input of block l (l ∈ 0..L−1; l = 0 is the embedding's output).</summary>
    public Tensor InputOf(int l, Tensor input)
    {
        if (l < 0 || l >= BlockCount) throw new ArgumentOutOfRangeException(nameof(l), l, $"output position must be in 0..{BlockCount - 1}");
        return Through(l, input);
    }

    /// <summary>Shape (without batch) of the input of block l for one input of the given shape.</summary>
    public long[] BlockInputShape(int l, long[] inputShape)
    {
        using var _ = NewDisposeScope();
        using var noGrad = no_grad();
        return Through(l, zeros([1, .. inputShape])).shape[1..];
    }

    /// <summary>Feature width d_m of the output of block m−1 (what a bridge at input position m reads).</summary>
    public int OutputWidth(int m, long[] inputShape)
    {
        using var _ = NewDisposeScope();
        using var noGrad = no_grad();
        return (int)Pool(RunTo(m, zeros([1, .. inputShape]))).shape[1];
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>Freezes every parameter and switches to eval mode (dropout off, batch-norm running statistics).</summary>
    public void Freeze()
    {
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
    }
}
