using Xunit;

namespace BioXBridge.Tests.Cli;

/// <summary><c>bench prepare</c> runs end to end on a small synthetic set (the reference is skipped: CI has no Python),
/// and <c>bench</c> still rejects unknown benchmarks.</summary>
public class BenchPrepareCliTests
{
    [Fact]
    public void Bench_prepare_times_this_codes_pipeline_and_counts_windows()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "prepare", "--subjects", "1", "--minutes-per-class", "1", "--python", "none");
        Assert.True(code == 0, stderr);
        var row = stdout.Split('\n').Single(l => l.StartsWith("BioXBridge (1 thread(s))"));
        // three 1-min class segments hold (60 − 60)/5 + 1 = 1 window each
        Assert.Equal("3", row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
    }

    [Fact]
    public void Unknown_benchmark_is_a_usage_error()
    {
        var (code, _, stderr) = CliProcess.Run("bench", "prepar");
        Assert.Equal(2, code);
        Assert.Equal("error: bench: unknown benchmark 'prepar'; expected 'all', 'models' (default) or 'prepare'", stderr.Trim());
    }
}
