using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BioXBridge.Experiments;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// One comparison measured in one run: this kit's way (<see cref="Ours"/>) against a peer (the release-style loop, per-layer
/// passes, KD, PyTorch, the matmul ceiling, scipy). <see cref="Ratio"/> is always peer ÷ ours, so above 1 means this kit
/// is faster or smaller, and <see cref="Target"/> is the least ratio the issue asks for (null: reported, no target).
/// </summary>
public sealed record BenchCase(string Name, string Unit, Timing Ours, Timing? Peer, double? Target, string Goal,
                               IReadOnlyDictionary<string, object?>? Detail = null)
{
    public double? Ratio => Peer is null ? null : Peer.Median / Ours.Median;
    public bool? Met => Target is double t && Ratio is double r ? r >= t : null;

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["unit"] = Unit,
        ["ours_ms"] = Ours.Median,
        ["peer_ms"] = Peer?.Median,
        ["ratio"] = Ratio,
        ["target"] = Target,
        ["met"] = Met,
        ["goal"] = Goal,
        ["ours_runs"] = new JsonArray([.. Ours.Runs.Select(v => (JsonNode)v)]),
        ["peer_runs"] = Peer is null ? null : new JsonArray([.. Peer.Runs.Select(v => (JsonNode)v)]),
        ["detail"] = Detail is null ? null : JsonSerializer.SerializeToNode(Detail),
    };
}

/// <summary>The file <c>bench all --out</c> writes: where it ran, which PyTorch it was compared with, and every case.</summary>
public sealed class BenchReport(JsonObject machine, JsonObject? pytorch, bool quick)
{
    public const string Schema = "bioxbridge.bench/1";
    public List<BenchCase> Cases { get; } = [];

    /// <summary>CPU model, cores, the threads both sides used and the BLAS settings that change their speed.</summary>
    public static JsonObject Machine(int threads, double matmulGflops, double ceilingGflops) => new()
    {
        ["cpu"] = CpuModel(),
        ["cores"] = Environment.ProcessorCount,
        ["threads"] = threads,
        ["torch_threads"] = get_num_threads(),
        ["mkl_num_threads"] = Environment.GetEnvironmentVariable(NativeThreads.Variable),
        ["glibc_tunables"] = Environment.GetEnvironmentVariable(NativeMemory.Variable),
        ["openblas_coretype"] = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"),
        ["openblas_l2_size"] = Environment.GetEnvironmentVariable("OPENBLAS_L2_SIZE"),
        ["torchsharp_matmul_gflops"] = matmulGflops,
        ["matmul_ceiling_gflops"] = ceilingGflops,
        ["versions"] = JsonSerializer.SerializeToNode(RunEnvironment.Versions(CPU)),
    };

    private static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        var line = File.Exists(cpuinfo) ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name")) : null;
        return line?.Split(':', 2)[1].Trim() ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    public JsonObject ToJson() => new()
    {
        ["schema"] = Schema,
        ["created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["quick"] = quick,
        ["machine"] = machine.DeepClone(),
        ["pytorch"] = pytorch?.DeepClone(),
        ["cases"] = new JsonArray([.. Cases.Select(c => (JsonNode)c.ToJson())]),
    };

    /// <summary>Writes the report whole or not at all (temporary file, then rename); an existing file is never replaced.</summary>
    public void Write(string path)
    {
        if (File.Exists(path)) throw new UsageException($"bench: '{path}' exists; a finished benchmark is never overwritten, choose another --out");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(tmp, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path);
    }

    /// <summary>Every case as a Markdown table (what the README's performance table is pasted from).</summary>
    public string Markdown()
    {
        var rows = Cases.Select(c =>
            $"| `{c.Name}` | {Value(c, c.Ours)} | {Value(c, c.Peer)} | {Ratio(c)} | " +
            $"{(c.Target is double t ? $"≥ {t:0.##}×" : "–")} | {c.Met switch { true => "yes", false => "**no**", null => "" }} |");
        return "| case | ours | peer | peer ÷ ours | target | met |\n|---|---:|---:|---:|---:|:-:|\n" + string.Join("\n", rows);
    }

    // two decimals, or two significant digits below 0.1 (KD can be hundreds of times cheaper than a heavy old suffix)
    private static string Ratio(BenchCase c) => c.Ratio is not double r ? "–" : r < 0.1 ? $"{r:G2}×" : $"{r:F2}×";

    private static string Value(BenchCase c, Timing? t) =>
        t is null ? "–" : c.Unit == "bytes" ? $"{t.Median / (1 << 20):F0} MiB" : t.Median >= 10_000 ? $"{t.Median / 1000:F1} s" : $"{t.Median:F1} ms";

    /// <summary>One line per case as it finishes: ours, peer, ratio against its target.</summary>
    public static string Line(BenchCase c)
    {
        var verdict = c.Met switch { true => "met", false => "NOT met", null => "" };
        var ratio = Ratio(c);
        var target = c.Target is double t ? $"(target ≥ {t:0.##}×) {verdict}" : "";
        return $"{c.Name,-46} ours {Value(c, c.Ours),12} ±{c.Ours.Spread:P0}  peer {Value(c, c.Peer),12}  ratio {ratio,8} {target}";
    }
}
