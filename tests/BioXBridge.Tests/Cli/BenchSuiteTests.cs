using System.Text.Json.Nodes;
using BioXBridge.Cli;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Cli;

/// <summary>
/// The benchmark suite's arithmetic and bookkeeping, without timing anything: medians and repetition rules, ratios and
/// targets, the report's schema and its refusal to overwrite, the FLOP count against hand-counted layers, and the refusal
/// to compare with a PyTorch on the reference BLAS. (The full-size cases themselves are measured by <c>bench all</c>.)
/// </summary>
public class BenchSuiteTests
{
    [Fact]
    public void A_timing_reports_the_median_and_how_far_the_runs_spread()
    {
        Assert.Equal(2, Timing.Of(3, 1, 2).Median);
        var even = Timing.Of(4, 1, 3, 2);
        Assert.Equal(2.5, even.Median);
        Assert.Equal((4 - 1) / 2.5, even.Spread, 12);
        Assert.Throws<ArgumentException>(() => Timing.Of());
    }

    [Fact]
    public void Measure_warms_up_untimed_then_repeats_within_the_budget()
    {
        int calls = 0;
        var t = Timing.Measure(new Repetitions(2, 4, false, BudgetMs: double.MaxValue, LongRunMs: double.MaxValue), () => calls++);
        Assert.Equal((6, 4), (calls, t.Runs.Length));

        calls = 0; // a spent budget stops after the first timed run
        t = Timing.Measure(new Repetitions(1, 5, false, BudgetMs: 0, LongRunMs: double.MaxValue), () => calls++);
        Assert.Equal((2, 1), (calls, t.Runs.Length));

        calls = 0; // a warm-up longer than LongRunMs is kept as the first timed run
        t = Timing.Measure(new Repetitions(3, 5, false, BudgetMs: double.MaxValue, LongRunMs: -1), () => calls++);
        Assert.Equal((5, 5), (calls, t.Runs.Length));

        calls = 0; // --quick: exactly one run per case
        t = Timing.Measure(Repetitions.QuickRun, () => calls++);
        Assert.Equal((1, 1), (calls, t.Runs.Length));
    }

    [Fact]
    public void A_cases_ratio_is_peer_over_ours_and_its_target_a_least_ratio()
    {
        var memory = new BenchCase("bridge_vs_kd_memory_x", "bytes", Timing.Of(100), Timing.Of(350), 1 / 0.3, "KD ÷ bridge");
        Assert.Equal(3.5, memory.Ratio);
        Assert.True(memory.Met);
        Assert.False((memory with { Peer = Timing.Of(300) }).Met); // 3.0 < 1/0.3
        var unpaired = memory with { Peer = null };
        Assert.Null(unpaired.Ratio);
        Assert.Null(unpaired.Met);
        Assert.Null((memory with { Target = null }).Met);

        var json = memory.ToJson();
        Assert.Equal(["name", "unit", "ours_ms", "peer_ms", "ratio", "target", "met", "goal", "ours_runs", "peer_runs", "detail"],
                     json.Select(kv => kv.Key));
        Assert.Equal(350.0, json["peer_ms"]!.GetValue<double>());
        Assert.Equal("bytes", json["unit"]!.GetValue<string>());
    }

    [Fact]
    public void The_report_is_written_whole_once_and_never_replaced()
    {
        var dir = Directory.CreateTempSubdirectory("bioxbridge-bench-test-").FullName;
        try
        {
            var report = new BenchReport(new JsonObject { ["cpu"] = "test", ["cores"] = 2, ["threads"] = 1 }, null, quick: true);
            report.Cases.Add(new BenchCase("one_pass_selection_x", "ms", Timing.Of(12, 10, 10), Timing.Of(60), 5, "per-layer ÷ one pass"));
            var file = Path.Combine(dir, "bench.json");
            report.Write(file);
            var written = JsonNode.Parse(File.ReadAllText(file))!;
            Assert.Equal("bioxbridge.bench/1", written["schema"]!.GetValue<string>());
            Assert.True(written["quick"]!.GetValue<bool>());
            Assert.Null(written["pytorch"]);
            Assert.Equal(6.0, written["cases"]![0]!["ratio"]!.GetValue<double>());
            Assert.Equal([file], Directory.GetFiles(dir)); // no temporary file left behind

            var e = Assert.Throws<UsageException>(() => report.Write(file));
            Assert.Contains("never overwritten", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_flop_count_is_two_per_multiply_add_of_every_convolution_and_linear_layer()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var linear = nn.Linear(10, 20);
        Assert.Equal(2.0 * 10 * 20 * 3, BridgeStepBench.ForwardFlops(linear, () => linear.call(randn(3, 10))));
        // groups = 2: each of 6 output channels sees 4/2 input channels × kernel 3, at 48 positions, for 2 recordings
        var conv1 = nn.Conv1d(4, 6, 3, groups: 2);
        Assert.Equal(2.0 * 2 * 3 * (2 * 6 * 48), BridgeStepBench.ForwardFlops(conv1, () => conv1.call(randn(2, 4, 50))));
        var conv2 = nn.Conv2d(3, 5, (2, 3));
        Assert.Equal(2.0 * 3 * 2 * 3 * (5 * 7 * 7), BridgeStepBench.ForwardFlops(conv2, () => conv2.call(randn(1, 3, 8, 9))));
        // the hooks go when the count is done: counting again counts the same, and a plain call counts nothing
        var twice = nn.Sequential(("a", linear), ("b", nn.ReLU()), ("c", nn.Linear(20, 4)));
        double once = BridgeStepBench.ForwardFlops(twice, () => twice.call(randn(3, 10)));
        Assert.Equal(2.0 * 3 * (10 * 20 + 20 * 4), once);
        Assert.Equal(once, BridgeStepBench.ForwardFlops(twice, () => twice.call(randn(3, 10))));
    }

    [Fact]
    public void PyTorch_on_the_reference_blas_or_any_slow_blas_is_refused()
    {
        JsonObject Probe(string blas, double gflops) => new()
        {
            ["blas"] = blas, ["matmul_gflops"] = gflops,
            ["blas_files"] = new JsonArray("/usr/lib/x86_64-linux-gnu/" + (blas == "reference" ? "blas" : "openblas-pthread") + "/libblas.so.3"),
        };
        Assert.Null(PyTorchPeer.Refusal(Probe("openblas", 41)));
        Assert.Null(PyTorchPeer.Refusal(Probe("mkl", 60)));
        var reference = PyTorchPeer.Refusal(Probe("reference", 0.8));
        Assert.Contains("'reference' BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3) at 0.8 GFLOP/s", reference);
        Assert.Contains("apt-get install --no-install-recommends libopenblas0-pthread", reference);
        Assert.Contains("--python none", reference);
        Assert.NotNull(PyTorchPeer.Refusal(Probe("openblas", PyTorchPeer.MinimumGflops / 2)));
        Assert.NotNull(PyTorchPeer.Refusal(Probe("unknown", 50)));
    }

    [Theory]
    [InlineData("synwesad-ppg-to-ecg", "bench all: 'synwesad-ppg-to-ecg' is not a full-size direction")]
    [InlineData("all,x", "bench all: 'all' is not a full-size direction")]
    public void Bench_all_names_a_direction_it_cannot_run(string directions, string message)
    {
        var (code, _, stderr) = CliProcess.Run("bench", "all", "--directions", directions, "--python", "none",
                                               "--out", Path.Combine(Path.GetTempPath(), $"bioxbridge-bench-{Guid.NewGuid():N}.json"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: " + message, stderr.Trim());
    }

    [Fact]
    public void Bench_all_refuses_an_existing_report_before_measuring_anything()
    {
        var file = Path.GetTempFileName();
        try
        {
            var (code, stdout, stderr) = CliProcess.Run("bench", "all", "--quick", "--python", "none", "--out", file);
            Assert.Equal(2, code);
            Assert.Equal($"error: bench all: '{file}' exists; a finished benchmark is never overwritten, choose another --out", stderr.Trim());
            Assert.Equal("", stdout);
        }
        finally { File.Delete(file); }
    }
}
