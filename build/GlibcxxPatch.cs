// One source for the GLIBCXX fix, compiled twice: by MSBuild as an inline task (Directory.Build.targets) and into
// BioXBridge.Interactive (TorchNotebookSupport, for notebooks opened before any build), which defines
// GLIBCXX_PATCH_LIBRARY_ONLY. It sticks to APIs that the inline-task compiler (netstandard) offers.
//
// TorchSharp 0.107.0's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13), though the only symbol bound to that
// version is std::ios_base_library_init(), a link marker with no relocation. Where the system libstdc++ lacks the
// version, marking that one version need VER_FLG_WEAK lets the dynamic loader accept the library.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
#if !GLIBCXX_PATCH_LIBRARY_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxNeed : Task
{
    [Required] public string[] Files { get; set; }
    [Required] public string Version { get; set; }

    public override bool Execute()
    {
        if (GlibcxxPatch.SystemProvides(Version))
        {
            Log.LogMessage(MessageImportance.Low, $"the system libstdc++ provides {Version}; no patch needed.");
            return true;
        }
        foreach (var path in Files)
        {
            try
            {
                if (GlibcxxPatch.WeakenFile(path, Version))
                    Log.LogMessage(MessageImportance.High, $"BioXBridge: marked {Version} weak in {path} (system libstdc++ lacks it).");
            }
            catch (InvalidDataException e) { Log.LogError($"{path}: {e.Message}"); return false; }
        }
        return true;
    }
}
#endif

internal static class GlibcxxPatch
{
    private static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    /// <summary>True when the first libstdc++ found defines <paramref name="version"/> (then nothing needs patching).</summary>
    public static bool SystemProvides(string version)
    {
        var lib = LibstdcxxCandidates.FirstOrDefault(File.Exists);
        return lib != null && IndexOf(File.ReadAllBytes(lib), Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }

    /// <summary>Patches the file through a temporary copy and an atomic replace; true when something changed.</summary>
    public static bool WeakenFile(string path, string version)
    {
        var data = File.ReadAllBytes(path);
        if (Weaken(data, version) == 0) return false;
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(tmp, data);
        try { File.Replace(tmp, path, null); }
        catch (IOException) { File.Delete(tmp); } // a parallel build patched it first
        return true;
    }

    /// <summary>Sets VER_FLG_WEAK on every need of <paramref name="version"/> in an ELF64 LE image; returns how many changed.</summary>
    public static int Weaken(byte[] d, string version)
    {
        if (d.Length < 64 || d[0] != 0x7f || d[1] != (byte)'E' || d[2] != (byte)'L' || d[3] != (byte)'F' || d[4] != 2 || d[5] != 1)
            throw new InvalidDataException("not an ELF64 little-endian file");
        var wanted = Encoding.ASCII.GetBytes(version + "\0");
        long shoff = BitConverter.ToInt64(d, 0x28);
        int shentsize = BitConverter.ToUInt16(d, 0x3A), shnum = BitConverter.ToUInt16(d, 0x3C);
        int Sec(int i, int field) => checked((int)(shoff + (long)i * shentsize + field));
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            if (BitConverter.ToUInt32(d, Sec(i, 4)) != 0x6ffffffe) continue; // SHT_GNU_verneed
            int p = checked((int)BitConverter.ToInt64(d, Sec(i, 24)));
            int count = (int)BitConverter.ToUInt32(d, Sec(i, 44));
            long strtab = BitConverter.ToInt64(d, Sec((int)BitConverter.ToUInt32(d, Sec(i, 40)), 24));
            for (int n = 0; n < count; n++)
            {
                int a = p + (int)BitConverter.ToUInt32(d, p + 8);
                for (int k = 0, vnCnt = BitConverter.ToUInt16(d, p + 2); k < vnCnt; k++)
                {
                    int flags = BitConverter.ToUInt16(d, a + 4);
                    long name = strtab + BitConverter.ToUInt32(d, a + 8);
                    if ((flags & 2) == 0 && IndexOf(d, wanted, name, wanted.Length) == name)
                    {
                        var bytes = BitConverter.GetBytes((ushort)(flags | 2));
                        d[a + 4] = bytes[0]; d[a + 5] = bytes[1];
                        changed++;
                    }
                    int next = (int)BitConverter.ToUInt32(d, a + 12);
                    if (next == 0) break;
                    a += next;
                }
                int vnNext = (int)BitConverter.ToUInt32(d, p + 12);
                if (vnNext == 0) break;
                p += vnNext;
            }
        }
        return changed;
    }

    /// <summary>First index of <paramref name="needle"/> in hay[from .. from+span+needle) (whole array by default), or −1.</summary>
    private static long IndexOf(byte[] hay, byte[] needle, long from = 0, long span = -1)
    {
        long last = span < 0 ? hay.Length - needle.Length : Math.Min(hay.Length - needle.Length, from + span);
        for (long i = from; i <= last; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
