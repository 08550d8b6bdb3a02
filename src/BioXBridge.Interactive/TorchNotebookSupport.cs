using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

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

    static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

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
        var libstdcxx = LibstdcxxCandidates.FirstOrDefault(File.Exists);
        if (libstdcxx is not null && ElfVersionPatch.Contains(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(WeakVersion + "\0")))
            return; // the system libstdc++ is new enough
        foreach (var path in LibTorchSharpCandidates(torchDir).Distinct())
        {
            if (!File.Exists(path)) continue;
            if (ElfVersionPatch.WeakenFile(path, WeakVersion))
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

/// <summary>Marks one symbol-version need of an ELF64 little-endian shared object as weak (VER_FLG_WEAK).</summary>
public static class ElfVersionPatch
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Patches <paramref name="path"/> in place (through a temporary file and a rename); true when changed.</summary>
    public static bool WeakenFile(string path, string version)
    {
        var data = File.ReadAllBytes(path);
        if (Weaken(data, version) == 0) return false;
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(tmp, data);
        try { File.Move(tmp, path, overwrite: true); }
        catch (IOException) { File.Delete(tmp); throw; }
        return true;
    }

    /// <summary>Sets VER_FLG_WEAK on every need of <paramref name="version"/>; returns how many were changed.</summary>
    public static int Weaken(byte[] data, string version)
    {
        if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F'
            || data[4] != 2 || data[5] != 1)
            throw new InvalidDataException("not an ELF64 little-endian file");
        var wanted = Encoding.ASCII.GetBytes(version);
        ulong shoff = BitConverter.ToUInt64(data, 0x28);
        int shentsize = BitConverter.ToUInt16(data, 0x3A), shnum = BitConverter.ToUInt16(data, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(data, sh + 4) != ShtGnuVerneed) continue;
            int off = checked((int)BitConverter.ToUInt64(data, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(data, sh + 0x28);
            int count = (int)BitConverter.ToUInt32(data, sh + 0x2C);
            int strtab = checked((int)BitConverter.ToUInt64(data, checked((int)shoff + link * shentsize) + 0x18));
            int p = off;
            for (int n = 0; n < count; n++)
            {
                int vnCnt = BitConverter.ToUInt16(data, p + 2);
                int vnAux = (int)BitConverter.ToUInt32(data, p + 8);
                int vnNext = (int)BitConverter.ToUInt32(data, p + 12);
                int a = p + vnAux;
                for (int k = 0; k < vnCnt; k++)
                {
                    ushort flags = BitConverter.ToUInt16(data, a + 4);
                    int name = (int)BitConverter.ToUInt32(data, a + 8);
                    int nxt = (int)BitConverter.ToUInt32(data, a + 12);
                    if (NameEquals(data, strtab + name, wanted) && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.TryWriteBytes(data.AsSpan(a + 4, 2), (ushort)(flags | VerFlgWeak));
                        changed++;
                    }
                    if (nxt == 0) break;
                    a += nxt;
                }
                if (vnNext == 0) break;
                p += vnNext;
            }
        }
        return changed;
    }

    static bool NameEquals(byte[] data, int at, byte[] wanted) =>
        at + wanted.Length < data.Length && data.AsSpan(at, wanted.Length).SequenceEqual(wanted) && data[at + wanted.Length] == 0;

    internal static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
