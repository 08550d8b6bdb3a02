using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>Versions and resource use written into every run record.</summary>
public static class RunEnvironment
{
    /// <summary>Peak resident set of this process (Linux VmHWM), covering native libtorch memory too.</summary>
    public static long PeakMemoryBytes()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64;
    }

    /// <summary>
    /// Whether repeating this run with the same seed gives the same bits. On the CPU it does (DeterminismTests run the
    /// CLI twice and compare the records and the bridge files byte for byte), for the same <c>torch_threads</c>: another
    /// thread count splits reductions differently. On CUDA it does not: cuDNN's and scatter kernels' atomics sum in
    /// arrival order, and the switch that would forbid them (<c>torch.use_deterministic_algorithms</c>, like its query)
    /// is marked <c>[Obsolete("not implemented")]</c> in TorchSharp 0.107, so no run here can turn it on. A CUDA record
    /// therefore says false, and a reader knows a rerun may differ in the last bits.
    /// </summary>
    public static Determinism DeterminismOf(Device device) => device.type == DeviceType.CPU
        ? new(true, "cpu: the same seed and torch_threads give bit-identical results")
        : new(false, $"{device.type.ToString().ToLowerInvariant()}: CUDA kernels are not bit-reproducible " +
                     "(torch.use_deterministic_algorithms is not available in TorchSharp 0.107)");

    public static Dictionary<string, string> Versions(Device device)
    {
        var lib = typeof(RunEnvironment).Assembly;
        string Meta(string key) => lib.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "unknown";
        return new()
        {
            ["bioxbridge"] = lib.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            ["libtorch"] = Meta("LibTorchVersion"),
            ["torch_backend"] = Meta("TorchBackend"),
            ["device"] = device.ToString(),
            ["torch_threads"] = get_num_threads().ToString(),
            ["nnpack"] = Models.Nnpack.State,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["cpu_count"] = Environment.ProcessorCount.ToString(),
        };
    }
}

/// <summary>Whether a run repeats bit for bit with the same seed, and why (see <see cref="RunEnvironment.DeterminismOf"/>).</summary>
public sealed record Determinism(bool Deterministic, string Reason);
