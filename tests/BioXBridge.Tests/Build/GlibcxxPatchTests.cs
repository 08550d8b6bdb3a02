using System.IO.Compression;
using System.Text;
using Xunit;

namespace BioXBridge.Tests.Build;

/// <summary>The build's ELF fix, on the library exactly as TorchSharp ships it inside its NuGet package.</summary>
public class GlibcxxPatchTests
{
    private static byte[] ShippedLibTorchSharp()
    {
        // .../packages/torchsharp/<version>/lib/net8.0/TorchSharp.dll → .../packages/torchsharp/<version>/
        var package = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!, "..", ".."));
        var nupkg = Directory.GetFiles(package, "*.nupkg").SingleOrDefault();
        if (nupkg is null) // running from an app-local copy: the package is then where NuGet restored it
            nupkg = Directory.GetFiles(Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "torchsharp", "0.107.0"), "*.nupkg").Single();
        using var zip = ZipFile.OpenRead(nupkg);
        using var s = zip.GetEntry("runtimes/linux-x64/native/libLibTorchSharp.so")!.Open();
        var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    [Fact]
    public void MarksExactlyTheOneNeedWeakAndIsIdempotent()
    {
        var original = ShippedLibTorchSharp();
        var patched = (byte[])original.Clone();
        Assert.Equal(1, GlibcxxPatch.Weaken(patched, "GLIBCXX_3.4.32"));
        Assert.Equal(0, GlibcxxPatch.Weaken(patched, "GLIBCXX_3.4.32"));
        // only the two flag bytes of one vernaux entry differ
        var diffs = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.InRange(diffs.Length, 1, 2);
        Assert.True(diffs[^1] - diffs[0] <= 1);
        Assert.Equal(0, GlibcxxPatch.Weaken((byte[])original.Clone(), "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void RejectsAFileThatIsNotElf() =>
        Assert.Throws<InvalidDataException>(() => GlibcxxPatch.Weaken(Encoding.ASCII.GetBytes(new string('x', 100)), "GLIBCXX_3.4.32"));
}
