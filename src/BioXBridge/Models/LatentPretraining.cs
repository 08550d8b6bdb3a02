using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Label-free pre-training of the new-modality encoder: regress physiological latents measured from the signal itself
/// (heart rate and its variability) from the pooled last-block output. It stands in for the self-supervised
/// pre-training of a real foundation model: the encoder learns physiology, never the task's classes.
/// </summary>
public static class LatentPretraining
{
    public static LoopResult Train(LayeredEncoder encoder, Tensor x, Tensor targets, Tensor xVal, Tensor targetsVal,
                                   LoopConfig cfg, Device device, IProgress<ProgressReport>? progress = null, string? checkpoint = null)
    {
        // standardise targets so each latent weighs the same in the loss
        var mean = targets.mean([0]); var std = targets.std([0]) + 1e-6;
        var t = ((targets - mean) / std).to(device);
        var tVal = ((targetsVal - mean) / std).to(device);
        var probe = nn.Linear(encoder.OutputDim, targets.shape[1]).to(device);
        var both = new PretrainingModule(encoder, probe);
        var xs = x.to(device);
        return TrainingLoop.Run(both, (int)x.shape[0], cfg,
            idx => nn.functional.mse_loss(both.call(xs[idx]), t[idx]),
            () => -Batches.Map(xVal, 64, device, both.call).sub(tVal.cpu()).square().mean().item<float>(),
            "pretrain", progress, checkpoint: checkpoint);
    }

    private sealed class PretrainingModule : nn.Module<Tensor, Tensor>
    {
        private readonly LayeredEncoder encoder;
        private readonly nn.Module<Tensor, Tensor> probe;

        public PretrainingModule(LayeredEncoder encoder, nn.Module<Tensor, Tensor> probe) : base("pretraining")
        {
            (this.encoder, this.probe) = (encoder, probe);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => probe.call(encoder.Pool(encoder.call(x)));
    }
}
