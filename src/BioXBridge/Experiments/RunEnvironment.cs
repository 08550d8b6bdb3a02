using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
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
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["cpu_count"] = Environment.ProcessorCount.ToString(),
        };
    }
}
