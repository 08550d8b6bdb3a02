using BioXBridge.Models;
using BioXBridge.Tests.Cli;
using Xunit;

namespace BioXBridge.Tests.Build;

/// <summary>
/// A first run prints the kit's own lines only. libtorch 2.10 writes <c>[W… NNPACK.cpp:…] Could not initialize
/// NNPACK! Reason: Unsupported hardware.</c> for the convolutions it considers for NNPACK on a CPU where NNPACK cannot
/// start (100 such lines in a two-epoch demo on such a VM before <see cref="Nnpack"/>); on a CPU where it starts there
/// are none either way, and the run record's <c>nnpack</c> says which. Real errors still reach stderr (CliErrorTests).
/// </summary>
public class NativeWarningsTests
{
    [Fact]
    public void Training_through_the_cli_writes_no_native_warning_lines()
    {
        var dir = Directory.CreateTempSubdirectory("bxb-warnings-").FullName;
        try
        {
            // pre-training and teacher training run every convolution of two models, forward and backward
            var (code, stdout, stderr) = CliProcess.Run("pretrain", "--set", "teacher.epochs=1", "--set", "pretraining.epochs=1",
                "--set", "pretraining.subjects=2", "--set", "dataset.subjects=6", "--set", "dataset.minutes_per_class=2", "--quiet", "--out", dir);
            Assert.True(code == 0, stderr);
            var native = (stdout + "\n" + stderr).Split('\n').Where(l => l.StartsWith("[W") || l.Contains("NNPACK")).ToList();
            Assert.True(native.Count == 0, $"{native.Count} native warning lines, first: {native.FirstOrDefault()}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Nnpack_is_on_where_it_initialises_and_off_with_the_reason_where_it_does_not()
    {
        // which of the two depends on the CPU; "unchanged" would mean the libtorch symbols were not found
        Assert.Matches(@"^(on|off \(NNPACK cannot initialise here: status [1-9]\d*\))$", Nnpack.State);
    }

    /// <summary>The switch is libtorch's own (what torch.backends.nnpack.set_flags sets): read back through libtorch's getter.</summary>
    [Fact]
    public void The_switch_is_libtorchs_own()
    {
        bool before = Nnpack.UserEnabled;
        try
        {
            Nnpack.UserEnabled = false;
            Assert.False(Nnpack.UserEnabled);
            Nnpack.UserEnabled = true;
            Assert.True(Nnpack.UserEnabled);
        }
        finally { Nnpack.UserEnabled = before; }
        Assert.Equal(Nnpack.State == "on", before);   // Configure left it as its State says
    }
}
