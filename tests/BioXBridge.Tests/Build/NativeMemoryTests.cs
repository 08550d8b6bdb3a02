using Xunit;

namespace BioXBridge.Tests.Build;

/// <summary>The glibc setting the CLI starts with is the one the docs tell notebook users to export, word for word.</summary>
public class NativeMemoryTests
{
    [Theory]
    [InlineData("environment.md")]
    [InlineData("tools/run-notebooks-jupyter.sh")]
    public void The_documented_glibc_tunables_are_the_ones_the_cli_sets(string file)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "BioXBridge.sln"))) root = root.Parent!;
        Assert.Contains(NativeMemory.Value, File.ReadAllText(Path.Combine(root.FullName, file)));
        Assert.StartsWith("glibc.malloc.mmap_threshold=33554432:", NativeMemory.Value); // 32 MiB: glibc's largest threshold
    }
}
