using System.Reflection;
using System.Runtime.InteropServices;

namespace BioXBridge.Interactive;

/// <summary>
/// Makes TorchSharp's native backend loadable inside a notebook kernel before the first <c>torch</c> call.
/// <para>
/// In a notebook, TorchSharp.dll is loaded from the NuGet cache (<c>torchsharp/0.107.0/lib/net8.0</c>); on first use it
/// copies the natives of <c>torchsharp</c> and <c>libtorch-cpu-linux-x64</c> into <c>lib/net8.0/cpu/</c> and loads
/// <c>libLibTorchSharp.so</c> from there. That file needs GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks, so
/// <c>dotnet build</c> (Directory.Build.targets) marks that version need weak in the cache. A kernel can still meet an
/// unpatched file: a cache restored by the kernel itself (empty cache, other NUGET_PACKAGES, another user), or a
/// <c>cpu/</c> copy made before the build patched the package. <see cref="Prepare"/> applies the same patch at run time
/// to every copy it can find (package, <c>cpu/</c> copy, app-local), and, when a system libtorch (Debian's
/// <c>libtorch-dev</c>) would shadow the packaged one, preloads the packaged libtorch first.
/// </para>
/// Must run before the first use of <c>torch</c>; <see cref="NotebookSetup.Register"/> calls it. Never throws.
/// </summary>
public static class TorchNotebookSupport
{
    const string WeakVersion = "GLIBCXX_3.4.32";
    const string LibTorchSharp = "libLibTorchSharp.so";

    static readonly string[] SystemLibDirs =
        { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/lib", "/usr/lib64" };

    /// <summary>Runs the checks; returns one status line per action taken (empty when nothing was needed).</summary>
    public static IReadOnlyList<string> Prepare()
    {
        var log = new List<string>();
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return log;
        string? torchDir;
        try { torchDir = Path.GetDirectoryName(TorchSharpAssembly()?.Location); }
        catch (Exception e) { log.Add($"torch: TorchSharp not loadable ({e.GetType().Name}); skipped native checks"); return log; }
        if (string.IsNullOrEmpty(torchDir)) { log.Add("torch: TorchSharp not referenced; skipped native checks"); return log; }

        try { PatchGlibcxx(torchDir, log); }
        catch (Exception e) { log.Add($"torch: GLIBCXX patch failed: {e.GetType().Name}: {e.Message}"); }
        try { PreloadPackagedLibtorchIfShadowed(torchDir, log); }
        catch (Exception e) { log.Add($"torch: libtorch preload failed: {e.GetType().Name}: {e.Message}"); }
        return log;
    }

    static Assembly? TorchSharpAssembly() =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "TorchSharp")
        ?? Assembly.Load(new AssemblyName("TorchSharp"));

    /// <summary>The copies of libLibTorchSharp.so that TorchSharp may load, given the folder of TorchSharp.dll.</summary>
    public static IEnumerable<string> LibTorchSharpCandidates(string torchDir)
    {
        yield return Path.Combine(torchDir, LibTorchSharp);                                   // app-local (bin/)
        yield return Path.Combine(torchDir, "cpu", LibTorchSharp);                            // notebook consolidation copy
        yield return Path.GetFullPath(Path.Combine(torchDir, "..", "..", "runtimes", "linux-x64", "native", LibTorchSharp)); // package
    }

    static void PatchGlibcxx(string torchDir, List<string> log)
    {
        if (GlibcxxPatch.SystemProvides(WeakVersion)) return; // the system libstdc++ is new enough
        foreach (var path in LibTorchSharpCandidates(torchDir).Distinct())
        {
            if (!File.Exists(path)) continue;
            if (GlibcxxPatch.WeakenFile(path, WeakVersion))
                log.Add($"torch: marked {WeakVersion} weak in {path}");
        }
    }

    /// <summary>
    /// TorchSharp first tries to load "torch_cpu" by name, which finds a system libtorch (Debian libtorch-dev, an older
    /// libtorch) before the packaged one and then fails with undefined symbols. Loading the packaged libraries first
    /// makes the by-name lookups resolve to them. Only done when TorchSharp runs from the NuGet cache and a system
    /// libtorch_cpu.so exists.
    /// </summary>
    static void PreloadPackagedLibtorchIfShadowed(string torchDir, List<string> log)
    {
        if (File.Exists(Path.Combine(torchDir, "libtorch_cpu.so"))) return;  // app-local natives: deps.json wins
        if (!SystemLibDirs.Any(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))) return;
        // .../packages/torchsharp/<ver>/lib/net8.0 -> .../packages
        var packages = Path.GetFullPath(Path.Combine(torchDir, "..", "..", "..", ".."));
        var version = typeof(TorchNotebookSupport).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "2.10.0";
        var native = Path.Combine(packages, "libtorch-cpu-linux-x64", version, "runtimes", "linux-x64", "native");
        if (!Directory.Exists(native)) { log.Add($"torch: a system libtorch_cpu.so exists but {native} is missing"); return; }
        foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            var p = Path.Combine(native, lib);
            if (File.Exists(p)) NativeLibrary.Load(p);
        }
        log.Add($"torch: preloaded libtorch {version} from {native} (a system libtorch_cpu.so would shadow it)");
    }
}
