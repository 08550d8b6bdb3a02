using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Bridge;

/// <summary>
/// The paper's prototype initialisation: N_p real tokens of the old model's block-l input over the paired set
/// (the released scripts use N(0, 1) instead; see <see cref="PrototypeInit"/>).
/// </summary>
public static class PrototypeSampling
{
    public static Tensor Sample(LayeredEncoder old, int outputPosition, Tensor pairOld, int count, long seed, Device device)
    {
        var tokens = Batches.Map(pairOld, 32, device, x =>
        {
            var h = old.InputOf(outputPosition, x);
            // every token of every window as a row of d_l features
            return old.Layout == FeatureLayout.TokenMajor ? h.flatten(0, 1) : h.transpose(1, 2).flatten(0, 1);
        });
        using var generator = new Generator((ulong)seed);
        var pick = randperm(tokens.shape[0], generator: generator)[..count];
        return tokens[pick].clone();
    }
}
