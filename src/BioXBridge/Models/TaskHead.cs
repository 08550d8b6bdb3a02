using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Models;

/// <summary>
/// The task head g of the paper: one Linear on the last-block output averaged over every non-feature axis.
/// <see cref="Classifier"/> puts it on an encoder; the bridge reuses the same head on bridged activations.
/// </summary>
public sealed class TaskHead : Module<Tensor, Tensor>
{
    private readonly Linear linear;

    public TaskHead(int inputDim, int classes) : base(nameof(TaskHead))
    {
        linear = Linear(inputDim, classes);
        RegisterComponents();
    }

    /// <summary>Logits from already pooled features (batch, inputDim).</summary>
    public override Tensor forward(Tensor pooled) => linear.call(pooled);
}

/// <summary>Encoder + task head: the teacher on the old modality, or the KD student on the new one.</summary>
public sealed class Classifier : Module<Tensor, Tensor>
{
    public readonly LayeredEncoder encoder;
    public readonly TaskHead head;

    public Classifier(LayeredEncoder encoder, int classes) : base(nameof(Classifier))
    {
        this.encoder = encoder;
        head = new TaskHead(encoder.OutputDim, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => head.call(encoder.Pool(encoder.call(input)));

    /// <summary>Logits for activations that enter the encoder at block l (the bridged path of Eq. 3).</summary>
    public Tensor FromBlock(int l, Tensor h) => head.call(encoder.Pool(encoder.RunFrom(l, h)));
}
