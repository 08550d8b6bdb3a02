using BioXBridge.Data;
using BioXBridge.Models;
using Xunit;

namespace BioXBridge.Tests.Models;

public class SyntheticWeightsTests
{
    [Fact]
    public void MatchesThePythonTwinBitForBit()
    {
        var golden = Npy.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "synthetic_weights.npy"));
        Assert.Equal(new long[] { 3, 64 }, golden.Shape);
        var g = golden.AsFloat32();
        Assert.Equal(g[..64], SyntheticWeights.Values("encoder.layers.0.attention.q_proj.weight", 64));
        Assert.Equal(g[64..128], SyntheticWeights.Values("first_block_bn.weight", 64, unitOffset: true));
        Assert.Equal(g[128..], SyntheticWeights.Values("basicblock_list.3.bn2.running_var", 64, positive: true));
    }

    [Fact]
    public void FnvOfKnownStrings() // FNV-1a-32 reference values
    {
        Assert.Equal(0x811c9dc5u, SyntheticWeights.Fnv1a(""));
        Assert.Equal(0xe40c292cu, SyntheticWeights.Fnv1a("a"));
    }
}

public class NpyTests
{
    [Fact]
    public void RoundTripsAndRejectsTruncation()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bioxbridge-{Guid.NewGuid():N}.npy");
        try
        {
            Npy.Write<float>(path, new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
            var a = Npy.Read(path);
            Assert.Equal(new long[] { 2, 3 }, a.Shape);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, a.AsFloat32());
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^4]);
            var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("needs 24", e.Message);
        }
        finally { File.Delete(path); }
    }
}
