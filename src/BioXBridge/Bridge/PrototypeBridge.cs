using BioXBridge.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>How the prototypes P start: N(0, 1) as the released scripts do, or real old-model tokens as the paper says.</summary>
public enum PrototypeInit { Gaussian, Sampled }

/// <summary>
/// Shape of a prototype low-rank bridge (paper Eq. 6). <see cref="InputDim"/> is d_m of the new block it reads;
/// <see cref="OutputTokens"/> × <see cref="OutputDim"/> (N_l × d_l) is the shape of the old block input it replaces.
/// </summary>
/// <remarks>
/// <see cref="Groups"/> &gt; 1 splits the N_l output tokens of one recording over that many rows of the old model's
/// batch: NormWear runs its blocks on (batch·channels, 560, 768), so its bridge makes N_l = channels·560 tokens per
/// recording and views them as (batch·channels, 560, 768). <see cref="ReleaseReshape"/> reproduces the released
/// LaBraM code, which turns (batch, d_l, N_l) into (batch, N_l, d_l) with a reshape instead of a transpose and so
/// scrambles tokens; it is off by default and exists for the ablation that measures the difference.
/// </remarks>
public sealed record BridgeConfig(int InputDim, int Rank, int Prototypes, int OutputTokens, int OutputDim,
                                  FeatureLayout OutputLayout, PrototypeInit Init = PrototypeInit.Gaussian,
                                  int Groups = 1, bool ReleaseReshape = false)
{
    /// <summary>r·d_in + r·N_p·N_l + N_p·d_l.</summary>
    public long TrainableParameters =>
        (long)Rank * InputDim + (long)Rank * Prototypes * OutputTokens + (long)Prototypes * OutputDim;

    /// <summary>
    /// The bridge between two models for one input shape each: d_in from new block m's output, N_l and d_l from old block
    /// l's input in the old model's layout, one recording's tokens spread over its rows (NormWear's channels).
    /// </summary>
    public static BridgeConfig Between(LayeredEncoder newEncoder, long[] newInput, int m, LayeredEncoder oldEncoder, long[] oldInput, int l,
                                       BridgeSettings s) =>
        ForOldBlock(newEncoder.OutputWidth(m, newInput), s.Rank, s.Prototypes, oldEncoder.BlockInputShape(l, oldInput), oldEncoder.Layout,
                    s.PrototypeInit, oldEncoder.RowsPerRecording) with { ReleaseReshape = s.ReleaseReshape };

    /// <summary>Fills N_l and d_l from the old model's block-l input shape (one batch row, without batch).</summary>
    public static BridgeConfig ForOldBlock(int inputDim, int rank, int prototypes, long[] oldBlockInput,
                                           FeatureLayout layout, PrototypeInit init = PrototypeInit.Gaussian, int groups = 1) =>
        layout == FeatureLayout.TokenMajor
            ? new(inputDim, rank, prototypes, groups * (int)oldBlockInput[0], (int)oldBlockInput[1], layout, init, groups)
            : new(inputDim, rank, prototypes, groups * (int)oldBlockInput[1], (int)oldBlockInput[0], layout, init, groups);
}

/// <summary>
/// h̃_l = Reshape_{N_l×N_p}(Pool(h_new) · A · B) · P. Each output token is a linear mix of N_p learned prototypes whose
/// weights come from a rank-r map of the pooled new-model features. No bias, softmax or nonlinearity. B starts at zero
/// (as LoRA's second factor), so the bridge outputs zeros at step 0 and training starts from a known point.
/// </summary>
public sealed class PrototypeBridge : nn.Module<Tensor, Tensor>
{
    private readonly Parameter A, B, P;

    public BridgeConfig Config { get; }

    public PrototypeBridge(BridgeConfig config, Tensor? sampledPrototypes = null) : base(nameof(PrototypeBridge))
    {
        Config = config;
        // Drawn as the release draws them — A as (r, d_in) under kaiming_uniform(a = √5), so its fan-in is d_in and
        // its entries U(±1/√d_in); B zeros; P as (d_l, N_p) ~ N(0, 1) — then stored transposed for x·A·B and
        // weights·P: from the same generator state the initial bridge equals the release's (docs/fidelity.md).
        using (var a = empty(config.Rank, config.InputDim))
        {
            nn.init.kaiming_uniform_(a, Math.Sqrt(5));
            using var aT = a.t();
            A = nn.Parameter(aT.contiguous());
        }
        B = nn.Parameter(zeros(config.Rank, (long)config.OutputTokens * config.Prototypes));
        if (config.Init == PrototypeInit.Sampled)
        {
            if (sampledPrototypes is null || !sampledPrototypes.shape.SequenceEqual(new long[] { config.Prototypes, config.OutputDim }))
                throw new ArgumentException($"sampled prototypes must be shaped ({config.Prototypes}, {config.OutputDim})", nameof(sampledPrototypes));
            using var detached = sampledPrototypes.detach();
            P = nn.Parameter(detached.clone());
        }
        else
        {
            using var p = randn(config.OutputDim, config.Prototypes);
            using var pT = p.t();
            P = nn.Parameter(pT.contiguous());
        }
        RegisterComponents();
    }

    /// <summary>Pooled new-model features (batch, d_in) → an old block-l input in that model's layout.</summary>
    public override Tensor forward(Tensor pooled)
    {
        var weights = pooled.matmul(A).matmul(B).view(-1, Config.OutputTokens, Config.Prototypes);
        var tokens = weights.matmul(P); // (batch, N_l, d_l)
        if (Config.ReleaseReshape) tokens = tokens.transpose(1, 2).reshape(tokens.shape);
        if (Config.Groups > 1) tokens = tokens.reshape(-1, Config.OutputTokens / Config.Groups, Config.OutputDim);
        return Config.OutputLayout == FeatureLayout.TokenMajor ? tokens : tokens.transpose(1, 2);
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
