using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Device names as users type them (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>), checked against what is present.</summary>
public static class Devices
{
    public static Device Parse(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:"))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"device '{name}': CUDA is not available in this build or on this machine " +
                                            "(build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU; see environment.md)");
            return n == "cuda" ? CUDA : new Device(n);
        }
        throw new ArgumentException($"device '{name}': expected 'cpu', 'cuda' or 'cuda:<index>'");
    }

    /// <summary>The GPU when one is usable, else the CPU: what notebooks pick by default.</summary>
    public static string Best() => cuda.is_available() ? "cuda" : "cpu";
}
