using System.Text.Json.Nodes;
using BioXBridge.Experiments;
using BioXBridge.Tests.Cli;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Reliability;

/// <summary>
/// Issue "Reliability", item 5: a seed is a promise. Two processes given the same seed on the CPU must write the same
/// record, bit for bit, apart from what measures the run rather than its result; and the record must say when that
/// promise does not hold (CUDA).
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class DeterminismTests(ITestOutputHelper output)
{
    /// <summary>Fields that measure the run (wall time, memory, start time), the only ones allowed to differ.</summary>
    private static readonly string[] Measured = ["seconds", "peak_memory_bytes", "started_utc"];

    [Fact]
    public void Two_processes_with_the_same_seed_write_identical_records_and_bridge_files()
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-determinism-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            // the embedded demo weights from a private, empty cache each, so neither run reads what another test or the
            // other run trained or kept: both select the positions and compute every feature themselves (the sweep and
            // Slurm tests' workers read what the first kept); the two children run side by side, each on one thread,
            // with the variables the CLI would restart itself for
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var runs = new[] { "a", "b" }.AsParallel().WithDegreeOfParallelism(2).Select(name =>
            {
                var dir = Path.Combine(root, name);
                var env = new Dictionary<string, string>
                {
                    ["BIOXBRIDGE_CACHE"] = Path.Combine(root, "cache-" + name),
                    [NativeThreads.Variable] = "1", [NativeMemory.Variable] = NativeMemory.Value,
                };
                var (code, _, err) = CliProcess.Run(env, "run", "--direction", "synwesad-ppg-to-ecg", "--seeds", "0", "--set", "bridge.epochs=2",
                                                    "--no-kd", "--quiet", "--threads", "1", "--out", dir);
                Assert.True(code == 0, err);
                return Path.Combine(dir, "seed-0");
            }).ToArray();
            output.WriteLine($"two runs side by side: {clock.Elapsed.TotalSeconds:F1} s");

            var (a, b) = (Result(runs[0]), Result(runs[1]));
            Assert.Equal(a.ToJsonString(), b.ToJsonString());
            // what the comparison covered: trained bridge metrics, the epoch history and the frozen weights' hashes
            Assert.Equal(2, a["methods"]!["bridge"]!["history"]!.AsArray().Count);
            Assert.StartsWith("embedded:", a["weights"]!["teacher"]!.GetValue<string>());
            Assert.True(a["determinism"]!["deterministic"]!.GetValue<bool>());
            // and both selected the positions themselves (both stages' scores), reading nothing another process kept
            Assert.Equal(4, a["positions"]!["stage1"]!.AsArray().Count);
            Assert.DoesNotContain(a["reused"]!.AsObject(), kv => kv.Key.EndsWith("_kept") || kv.Key is "positions" or "oracle");
            foreach (var file in new[] { "bridge.safetensors", "bridge.json" })
                Assert.True(File.ReadAllBytes(Path.Combine(runs[0], file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(runs[1], file))),
                            $"{file} differs between two runs of seed 0");
            output.WriteLine($"bridge balanced accuracy {a["methods"]!["bridge"]!["metrics"]!["balanced_accuracy"]} in both; " +
                             $"{new FileInfo(Path.Combine(runs[0], "bridge.safetensors")).Length} identical bytes of bridge.safetensors");
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>A record with the measured fields removed, everywhere they occur (each method has its own seconds).</summary>
    private static JsonNode Result(string seedDir)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(seedDir, "record.json")))!;
        void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var key in Measured) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (n is JsonArray arr) foreach (var child in arr) Strip(child);
        }
        Strip(node);
        return node;
    }

    [Fact]
    public void The_record_says_a_cpu_run_is_deterministic_and_a_cuda_run_is_not()
    {
        var cpu = RunEnvironment.DeterminismOf(CPU);
        Assert.True(cpu.Deterministic);
        Assert.StartsWith("cpu", cpu.Reason);
        // a CUDA device as a record would name it (no GPU needed to describe one)
        var gpu = RunEnvironment.DeterminismOf(new Device(DeviceType.CUDA, 0));
        Assert.False(gpu.Deterministic);
        Assert.Contains("CUDA kernels are not bit-reproducible", gpu.Reason);
        output.WriteLine($"cpu: {cpu}\ncuda: {gpu}");

        // written as an optional field, and a record from before it existed still reads (as unknown)
        var record = Handmade() with { Determinism = cpu };
        var json = JsonNode.Parse(record.ToJson())!.AsObject();
        Assert.True(json["determinism"]!["deterministic"]!.GetValue<bool>());
        Assert.Equal(cpu.Reason, json["determinism"]!["reason"]!.GetValue<string>());
        Assert.Equal(cpu, RunRecord.FromJson(record.ToJson(), "record").Determinism);
        json.Remove("determinism");
        Assert.Null(RunRecord.FromJson(json.ToJsonString(), "old record").Determinism);
    }

    private static RunRecord Handmade() => new()
    {
        Name = "handmade", Direction = "synwesad-ppg-to-ecg", Seed = 0, Dataset = "synwesad", Synthetic = true, DataNote = "SYNTHETIC stand-in",
        OldModality = "ppg", NewModality = "ecg", ClassNames = ["a", "b"], Positions = new PositionRecord(1, 2, [], [], "F1Macro"),
        Methods = new Dictionary<string, MethodResult>(), Splits = new Dictionary<string, SplitRecord>(),
        Weights = new Dictionary<string, string>(), PeakMemoryBytes = 0, Seconds = 0, StartedUtc = DateTime.UnixEpoch,
        Versions = new Dictionary<string, string>(), Config = DirectionFiles.Load("synwesad-ppg-to-ecg", []),
    };
}
