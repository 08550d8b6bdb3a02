using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Deterministic, closed-form weights for parity tests of full-size models: both this class and
/// <c>tools/golden/synthetic_weights.py</c> fill every tensor from its name alone, so a 136M-parameter model can be
/// compared with its PyTorch reference without committing its weights. Value i of tensor <c>name</c> is
/// <c>0.02·sin(0.1·i + φ)</c> with φ = (FNV-1a-32(name) mod 1000)/1000·2π; one-dimensional <c>weight</c> tensors
/// (norm scales) get 1 + that, running variances 1 + |that|, integer buffers 0.
/// </summary>
public static class SyntheticWeights
{
    public static void Fill(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, t) in module.state_dict())
        {
            if (!t.is_floating_point()) { t.zero_(); continue; }
            var values = Values(name, t.numel(), t.dim() == 1 && name.EndsWith(".weight"), name.EndsWith("running_var"));
            t.copy_(tensor(values, t.shape).to(t.dtype).to(t.device));
        }
    }

    public static float[] Values(string name, long count, bool unitOffset = false, bool positive = false)
    {
        double phase = Fnv1a(name) % 1000 / 1000.0 * 2 * Math.PI;
        var v = new float[count];
        for (long i = 0; i < count; i++)
        {
            double x = 0.02 * Math.Sin(0.1 * i + phase);
            v[i] = (float)(positive ? 1 + Math.Abs(x) : unitOffset ? 1 + x : x);
        }
        return v;
    }

    public static uint Fnv1a(string s)
    {
        uint h = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(s)) { h ^= b; h *= 16777619; }
        return h;
    }
}
