using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// A full-size port's forward pass (embedding and every block, no_grad, eval) against the PyTorch reference of the same
/// model (tools/golden/*_reference.py, which the parity tests hold block for block to this port), both with the same
/// closed-form weights (<see cref="SyntheticWeights"/>), input shape, batch and threads.
/// </summary>
public static class ForwardBench
{
    public static BenchCase TorchSharpVsPyTorch(ZooEntry m, int batch, Repetitions r, PyTorchPeer? peer)
    {
        using var model = m.Full();
        SyntheticWeights.Fill(model);
        model.eval();
        Timing ours;
        using (no_grad())
        using (var x = randn([batch, .. m.BenchInput]))
            ours = Timing.Measure(r, () =>
            {
                using var scope = NewDisposeScope();
                model.call(x);
            });
        return new BenchCase($"torchsharp_vs_pytorch_forward_{m.Name}", "ms", ours, peer?.Forward(m.Name, m.BenchInput, batch, ours, r), 1.0,
            $"full-size forward, batch {batch} × ({string.Join(", ", m.BenchInput)}), no_grad: PyTorch ÷ TorchSharp",
            new Dictionary<string, object?> { ["batch"] = batch, ["input"] = m.BenchInput });
    }
}
