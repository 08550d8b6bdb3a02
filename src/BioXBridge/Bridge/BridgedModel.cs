using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>
/// Inference path of Eq. 3: ŷ = g ∘ f_old[>l] ∘ b ∘ f_new[≤m](x_new). Only <see cref="Bridge"/> is trainable;
/// the new encoder and the old classifier are frozen (eval mode, no gradients).
/// </summary>
public sealed class BridgedModel
{
    public LayeredEncoder New { get; }
    public Classifier Old { get; }
    public PrototypeBridge Bridge { get; }
    /// <summary>m ∈ 1..M: the bridge reads the output of new block m−1.</summary>
    public int InputPosition { get; }
    /// <summary>l ∈ 0..L−1: the bridge output replaces the input of old block l.</summary>
    public int OutputPosition { get; }

    public BridgedModel(LayeredEncoder newEncoder, int inputPosition, PrototypeBridge bridge, Classifier old, int outputPosition)
    {
        (New, InputPosition, Bridge, Old, OutputPosition) = (newEncoder, inputPosition, bridge, old, outputPosition);
        New.Freeze();
        Old.encoder.Freeze();
        foreach (var p in Old.head.parameters()) p.requires_grad = false;
        Old.eval();
    }

    /// <summary>Pool(f_new[≤m](x)): constant during training, so trainers compute it once per dataset.</summary>
    public Tensor PooledNew(Tensor xNew) => New.Pool(New.RunTo(InputPosition, xNew));

    /// <summary>Old model's last-block output for bridged activations (the side of Eq. 7 that gradients flow through).</summary>
    public Tensor OldLastFromPooled(Tensor pooled) => Old.encoder.RunFrom(OutputPosition, Bridge.call(pooled));

    public Tensor LogitsFromPooled(Tensor pooled) => Old.FromBlock(OutputPosition, Bridge.call(pooled));

    public Tensor Logits(Tensor xNew) => LogitsFromPooled(PooledNew(xNew));
}
