using BioXBridge.Experiments;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge bench all --out FILE.json</c>: every comparison the performance claims rest on, each side measured in
/// the same run on the same machine with the same threads, written as <c>bioxbridge.bench/1</c> (see
/// <see cref="BenchReport"/>). Full-size shapes, random weights, float32, CPU.
/// </summary>
public static class BenchSuite
{
    /// <summary>Enough to cover the three kinds of old model the release bridges into (conv net, two transformers).</summary>
    public static readonly string[] DefaultDirections = ["wesad-ppg-to-ecg", "isruc-eeg-to-ecg", "fog-emg-to-eeg"];
    public static readonly string[] AllDirections =
        ["wesad-ppg-to-ecg", "wesad-ecg-to-ppg", "isruc-eeg-to-ecg", "isruc-ecg-to-eeg", "fog-eeg-to-emg", "fog-emg-to-eeg"];

    public static readonly OptionSpec[] Options =
    [
        new("out", "FILE", "the JSON report (bioxbridge.bench/1); an existing file is never overwritten"),
        new("quick", null, "every case once, on a few windows: a smoke test of the suite, not a measurement"),
        new("threads", "N", "CPU threads for TorchSharp and PyTorch alike (default 1)"),
        new("python", "PATH", "Python with torch on an optimised BLAS (default /usr/bin/python3); 'none' skips the PyTorch cases"),
        new("directions", "LIST", $"comma-separated full-size directions, or 'all' (default {string.Join(",", DefaultDirections)})"),
        new("only", "LIST", "comma-separated case-name prefixes to run, e.g. cached_vs_release,bridge_vs_kd (default: every case)"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Runs the benchmark suite: cached vs release-style bridge epoch, one-pass vs per-layer position selection, bridge vs KD\n" +
        "memory and time, TorchSharp vs PyTorch (OpenBLAS, checked) on each full-size forward and the bridge step, the bridge\n" +
        "step against this machine's matmul ceiling, and WESAD preparation vs numpy/scipy. Ratios are peer ÷ ours, measured in\n" +
        "one run. Full size on two cores takes about 35 minutes; --quick runs every case once on two windows (about 10).";

    public static int Run(CliArgs a)
    {
        var output = a.String("out") ?? throw new UsageException("bench all: --out FILE.json is required");
        if (File.Exists(output)) throw new UsageException($"bench all: '{output}' exists; a finished benchmark is never overwritten, choose another --out");
        int threads = a.Int("threads", 1, 1);
        var r = a.Has("quick") ? Repetitions.QuickRun : Repetitions.Full;
        var python = a.String("python") ?? PythonReference.DefaultPython;
        var directions = a.String("directions") is not string d ? DefaultDirections
            : d == "all" ? AllDirections : d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in directions)
            if (!AllDirections.Contains(name)) throw new UsageException($"bench all: '{name}' is not a full-size direction; expected some of {string.Join(", ", AllDirections)}");

        var only = a.String("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool Want(string name) => only is null || only.Any(name.StartsWith);
        set_num_threads(threads);
        int n = CeilingSize(r.Quick);
        var peer = python == "none" ? null : PyTorchPeer.Open(python, threads, n);
        if (peer is not null)
            Console.WriteLine($"PyTorch {peer.Info["torch"]} on {peer.Info["blas"]} ({string.Join(", ", peer.Info["blas_files"]!.AsArray())}), {threads} thread(s): " +
                              $"{peer.Info["matmul_gflops"]!.GetValue<double>():F1} GFLOP/s on a 512×512 matmul, {peer.Info["ceiling_gflops"]!.GetValue<double>():F1} on {n}×{n}");
        var (ours, _) = BridgeStepBench.MatmulCeiling(n, r);
        Console.WriteLine($"TorchSharp (libtorch's MKL): {ours:F1} GFLOP/s on {n}×{n}, {threads} thread(s); " +
                          (r.Quick ? "QUICK: one run per case, not a measurement" : "full run"));
        double ceiling = Math.Max(ours, peer?.Info["ceiling_gflops"]!.GetValue<double>() ?? 0);
        var report = new BenchReport(BenchReport.Machine(threads, ours, ceiling), peer?.Info, r.Quick);
        void Add(BenchCase c)
        {
            report.Cases.Add(c);
            Console.WriteLine(BenchReport.Line(c));
        }

        foreach (var m in ModelZoo.All)
        {
            int batch = r.Quick ? 2 : m.BenchBatch;
            if (Want($"torchsharp_vs_pytorch_forward_{m.Name}")) Add(ForwardBench.TorchSharpVsPyTorch(m, batch, r, peer));
            if (Want($"one_pass_selection_{m.Name}")) Add(SelectionBench.OnePassVsPerLayer(m, m.BenchInput, batch, r));
        }
        foreach (var name in directions)
        {
            var cfg = DirectionFiles.Load(name);
            int windows = EpochWindows(cfg, r);
            bool ceilingHere = name == directions[0] && Want("bridge_step_vs_matmul_ceiling");
            if (Want($"cached_vs_release_{name}") || Want($"torchsharp_vs_pytorch_bridge_step_{name}") || ceilingHere)
            {
                using var rig = BenchRig.Load(name);
                if (Want($"cached_vs_release_{name}")) Add(BridgeEpochBench.CachedVsRelease(rig, windows, r, Console.WriteLine));
                if (Want($"torchsharp_vs_pytorch_bridge_step_{name}") || ceilingHere)
                    foreach (var c in BridgeStepCases(rig, Math.Min(windows, cfg.Bridge.BatchSize), r, peer, ceiling, name == directions[0])) Add(c);
            }
            if (!Want($"bridge_vs_kd_memory_{name}") && !Want($"bridge_vs_kd_time_{name}")) continue;
            var (memory, time) = BridgeVsKdBench.Run(name, windows, r.Quick ? 1 : 3, threads);
            Add(memory);
            Add(time);
        }
        if (Want("prepare_vs_scipy_wesad")) Add(BenchPrepare.Compare(r.Quick ? 2 : 15, r.Quick ? 2 : 32, 1, python, _ => { }));
        report.Write(output);
        Console.WriteLine();
        Console.WriteLine(report.Markdown());
        var met = report.Cases.Where(c => c.Met is not null).ToList();
        Console.WriteLine($"wrote {output}: {report.Cases.Count} cases; targets met {met.Count(c => c.Met == true)} of {met.Count}");
        return 0;
    }

    /// <summary>Side of the square float32 matmul whose speed is this machine's ceiling (both sides measure it).</summary>
    public static int CeilingSize(bool quick) => quick ? 1024 : 2048;

    /// <summary>Windows in a benchmark epoch: two batches, or eight where NormWear (3 × 560 tokens a window) takes part.</summary>
    private static int EpochWindows(DirectionConfig cfg, Repetitions r) =>
        r.Quick ? 2 : ModelZoo.Get(cfg.New.Model).BenchBatch < 8 || ModelZoo.Get(cfg.Old.Model).BenchBatch < 8 ? 8 : 2 * cfg.Bridge.BatchSize;

    /// <summary>
    /// The cached step against PyTorch, and (for the first direction) against the matmul ceiling: the faster of the two
    /// large matmuls measured in this run, ours (libtorch's MKL) or PyTorch's (OpenBLAS), since convolutions run on oneDNN
    /// and can beat MKL's matmul on the same CPU.
    /// </summary>
    private static IEnumerable<BenchCase> BridgeStepCases(BenchRig rig, int batch, Repetitions r, PyTorchPeer? peer, double ceiling, bool withCeiling)
    {
        var profile = BridgeStepBench.Profile(rig, batch, r);
        var theirs = peer?.BridgeStep(rig.OldEntry.Name, rig.OldShape, rig.OutputPosition, rig.BridgeShape, batch, profile.Step, r);
        var detail = new Dictionary<string, object?> { ["batch"] = batch, ["flops"] = profile.Flops, ["gflops"] = profile.Gflops, ["parts_ms"] = profile.PartsMs };
        var name = rig.Config.Name;
        yield return new BenchCase($"torchsharp_vs_pytorch_bridge_step_{name}", "ms", profile.Step, theirs, 1.0,
                                   $"one cached bridge training step (batch {batch}): PyTorch ÷ TorchSharp", detail);
        if (withCeiling)
            yield return new BenchCase("bridge_step_vs_matmul_ceiling", "ms", profile.Step, Timing.Of(profile.Flops / ceiling / 1e6), 0.5,
                $"{name}'s cached bridge step: achieved GFLOP/s ÷ the large-matmul ceiling measured in this run ({ceiling:F1} GFLOP/s)",
                new Dictionary<string, object?>(detail) { ["direction"] = name, ["ceiling_gflops"] = ceiling });
    }
}
