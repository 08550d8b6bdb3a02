using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Adam (Kingma and Ba; PyTorch's update rule: no weight decay, no AMSGrad) with every Scalar created explicitly and
/// disposed after use. TorchSharp 0.107's own Adam passes temporary Scalars to native code as raw handles; a garbage
/// collection triggered on another thread can finalize one mid-call, which crashed a CI run once. Same arithmetic,
/// same order, as <c>torch.optim.Adam</c>.
/// </summary>
public sealed class AdamStep : IDisposable
{
    /// <summary>The optimiser as the pre-trained weight recipes name it (the paper's training recipe: betas 0.9/0.999, eps 1e-8).</summary>
    public const string Description = "adam beta1=0.9 beta2=0.999 eps=1e-8 (AdamStep)";

    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] expAvg, expAvgSq;
    private readonly double lr, beta1, beta2, eps;
    private long step;

    public AdamStep(IEnumerable<Parameter> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        this.parameters = parameters.ToList();
        (this.lr, this.beta1, this.beta2, this.eps) = (lr, beta1, beta2, eps);
        using var noGrad = no_grad();
        expAvg = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        expAvgSq = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad?.zero_();
    }

    public void Step()
    {
        step++;
        double bias1 = 1 - Math.Pow(beta1, step), bias2 = 1 - Math.Pow(beta2, step);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using Scalar b1 = beta1, oneMinusB1 = 1 - beta1, b2 = beta2, oneMinusB2 = 1 - beta2;
        using Scalar sqrtBias2 = Math.Sqrt(bias2), epsilon = eps, stepSize = -lr / bias1;
        for (int i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null) continue;
            expAvg[i].mul_(b1).add_(grad, alpha: oneMinusB1);
            expAvgSq[i].mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
            var denom = expAvgSq[i].sqrt().div_(sqrtBias2).add_(epsilon);
            parameters[i].addcdiv_(expAvg[i], denom, value: stepSize);
        }
    }

    /// <summary>The state a checkpoint keeps: the step count and both moments per parameter (live tensors, not copies).</summary>
    public (long Steps, IReadOnlyList<Tensor> ExpAvg, IReadOnlyList<Tensor> ExpAvgSq) State => (step, expAvg, expAvgSq);

    /// <summary>Continues from a checkpoint: the step count and the moments copied in place.</summary>
    public void Restore(long steps, IReadOnlyList<Tensor> avg, IReadOnlyList<Tensor> avgSq)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < expAvg.Length; i++) { expAvg[i].copy_(avg[i]); expAvgSq[i].copy_(avgSq[i]); }
        step = steps;
    }

    public void Dispose()
    {
        foreach (var t in expAvg.Concat(expAvgSq)) t.Dispose();
    }
}
