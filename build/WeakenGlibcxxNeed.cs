using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// MSBuild inline task: marks one symbol-version need of an ELF64 little-endian shared object as weak, so the
// dynamic loader tolerates a libstdc++ that lacks it. See Directory.Build.targets for why.
public class WeakenGlibcxxNeed : Task
{
    [Required] public string[] Files { get; set; }
    [Required] public string Version { get; set; }

    static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        var lib = LibstdcxxCandidates.FirstOrDefault(File.Exists);
        if (lib != null && Contains(File.ReadAllBytes(lib), Encoding.ASCII.GetBytes(Version + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{lib} provides {Version}; no patch needed.");
            return true;
        }
        foreach (var path in Files)
        {
            var data = File.ReadAllBytes(path);
            int changed;
            try { changed = Weaken(data, Encoding.ASCII.GetBytes(Version)); }
            catch (Exception e) { Log.LogError($"{path}: not a patchable ELF64 file ({e.Message})"); return false; }
            if (changed == 0) continue;
            var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(tmp, data);
            try { File.Replace(tmp, path, null); }
            catch (IOException) { File.Delete(tmp); } // a parallel build patched it first
            Log.LogMessage(MessageImportance.High, $"BioXBridge: marked {Version} weak in {path} (system libstdc++ lacks it).");
        }
        return true;
    }

    static int Weaken(byte[] d, byte[] wanted)
    {
        if (d[0] != 0x7f || d[1] != (byte)'E' || d[2] != (byte)'L' || d[3] != (byte)'F' || d[4] != 2 || d[5] != 1)
            throw new InvalidDataException("expected ELF64 little-endian");
        long shoff = BitConverter.ToInt64(d, 0x28);
        int shentsize = BitConverter.ToUInt16(d, 0x3A), shnum = BitConverter.ToUInt16(d, 0x3C);
        long Sec(int i, int field) => shoff + (long)i * shentsize + field;
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            if (BitConverter.ToUInt32(d, (int)Sec(i, 4)) != 0x6ffffffe) continue; // SHT_GNU_verneed
            long off = BitConverter.ToInt64(d, (int)Sec(i, 24));
            int link = (int)BitConverter.ToUInt32(d, (int)Sec(i, 40)), count = (int)BitConverter.ToUInt32(d, (int)Sec(i, 44));
            long strtab = BitConverter.ToInt64(d, (int)Sec(link, 24));
            long p = off;
            for (int n = 0; n < count; n++)
            {
                int vnCnt = BitConverter.ToUInt16(d, (int)p + 2);
                long a = p + BitConverter.ToUInt32(d, (int)p + 8);
                for (int k = 0; k < vnCnt; k++)
                {
                    int flags = BitConverter.ToUInt16(d, (int)a + 4);
                    long name = strtab + BitConverter.ToUInt32(d, (int)a + 8);
                    if ((flags & 2) == 0 && NameEquals(d, name, wanted))
                    {
                        BitConverter.GetBytes((ushort)(flags | 2)).CopyTo(d, (int)a + 4);
                        changed++;
                    }
                    a += BitConverter.ToUInt32(d, (int)a + 12);
                }
                p += BitConverter.ToUInt32(d, (int)p + 12);
            }
        }
        return changed;
    }

    static bool NameEquals(byte[] d, long at, byte[] s)
    {
        for (int i = 0; i < s.Length; i++) if (d[at + i] != s[i]) return false;
        return d[at + s.Length] == 0;
    }

    static bool Contains(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
