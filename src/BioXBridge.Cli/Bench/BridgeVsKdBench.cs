using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Experiments;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// Bridge training against KD training (student = the whole new model + a head) on one full-size direction, with the
/// same frozen models loaded, the same windows and the same batch. Each runs in its own process, so its peak resident
/// set (Linux VmHWM: managed and native memory, libtorch's included) is its own, from start to end: both models'
/// weights, the windows, the one-off caching (targets for the bridge, teacher logits for KD) and the training epochs.
/// Epoch times come from the library trainers themselves (<see cref="BridgeTrainer.Train"/>,
/// <see cref="KnowledgeDistillation.Train"/>), validated on two windows only, at the end.
/// </summary>
public static class BridgeVsKdBench
{
    public const string ChildCommand = "kd-child";

    public static (BenchCase Memory, BenchCase Time) Run(string direction, int windows, int epochs, int threads)
    {
        var bridge = Child("bridge", direction, windows, epochs, threads);
        var kd = Child("kd", direction, windows, epochs, threads);
        var detail = new Dictionary<string, object?>
        {
            ["windows"] = windows, ["epochs_timed"] = bridge.EpochMs.Length,
            ["bridge_caching_ms"] = bridge.CachingMs, ["kd_teacher_logits_ms"] = kd.CachingMs,
            ["bridge_trainable"] = bridge.Trainable, ["kd_trainable"] = kd.Trainable,
            ["bridge_rss_before_training"] = bridge.SetupRss, ["kd_rss_before_training"] = kd.SetupRss,
        };
        return (new BenchCase($"bridge_vs_kd_memory_{direction}", "bytes", Timing.Of(bridge.PeakRss), Timing.Of(kd.PeakRss), 1 / 0.3,
                              "peak resident set of a whole training process: KD ÷ bridge (bridge ≤ 0.3× KD)", detail),
                new BenchCase($"bridge_vs_kd_time_{direction}", "ms", Timing.Of(bridge.EpochMs), Timing.Of(kd.EpochMs), null,
                              $"one training epoch ({windows} windows): KD ÷ bridge (the paper reports 6.5 h ÷ 1.9 h)", detail));
    }

    private sealed record ChildResult(double PeakRss, double SetupRss, double CachingMs, double[] EpochMs, long Trainable);

    private static ChildResult Child(string method, string direction, int windows, int epochs, int threads)
    {
        var psi = SelfProcess.StartInfo(["bench", ChildCommand, method, direction, I(windows), I(epochs), I(threads)]);
        psi.RedirectStandardOutput = true;
        using var p = Process.Start(psi)!;
        var json = p.StandardOutput.ReadToEnd().Split('\n').LastOrDefault(l => l.StartsWith('{'));
        p.WaitForExit();
        if (p.ExitCode != 0 || json is null) throw new InvalidOperationException($"bench: the {method} training process for {direction} failed (exit {p.ExitCode})");
        return JsonSerializer.Deserialize<ChildResult>(json)!;
    }

    /// <summary>The child: <c>bench kd-child bridge|kd DIRECTION WINDOWS EPOCHS THREADS</c>; one JSON line out.</summary>
    public static int ChildMain(string[] args)
    {
        var (method, direction) = (args[0], args[1]);
        int windows = int.Parse(args[2], CultureInfo.InvariantCulture), epochs = int.Parse(args[3], CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(args[4], CultureInfo.InvariantCulture));
        using var rig = BenchRig.Load(direction);
        using var xNew = rig.NewInputs(windows);
        using var xOld = rig.OldInputs(windows);
        var epochClock = new EpochClock();
        var caching = Stopwatch.StartNew();
        double setupRss = CurrentRss();
        long trainable;
        if (method == "bridge")
        {
            var model = rig.Bridged(seed: 0);
            using var pooled = BridgeTrainer.CacheInputs(model, xNew, CPU);
            using var targets = BridgeTrainer.CacheTargets(model, xOld, CPU);
            epochClock.Start(caching);
            var s = rig.Config.Bridge with { Epochs = epochs, EvalEvery = epochs, Selection = CheckpointSelection.LastEpoch };
            BridgeTrainer.Train(model, pooled, targets, pooled[..2], targets[..2], [0, 0], rig.Classes, s, 0, CPU, epochClock);
            trainable = model.Bridge.ParameterCount();
        }
        else
        {
            using var logits = Batches.Map(xOld, 32, CPU, rig.Old.call);
            epochClock.Start(caching);
            var student = new Classifier(rig.New, rig.Classes);
            var k = rig.Config.Kd with { Epochs = epochs, EvalEvery = epochs, Selection = CheckpointSelection.LastEpoch };
            (_, trainable) = KnowledgeDistillation.Train(student, xNew, logits, null, xNew[..2], logits[..2], [0, 0], rig.Classes, k, 0, CPU, epochClock);
        }
        // the first epoch warms the allocator and oneDNN's primitives; it is dropped when there are others
        var times = epochClock.EpochMs.Count > 1 ? epochClock.EpochMs.Skip(1).ToArray() : [.. epochClock.EpochMs];
        Console.WriteLine(JsonSerializer.Serialize(new ChildResult(RunEnvironment.PeakMemoryBytes(), setupRss, epochClock.CachingMs, times, trainable)));
        return 0;
    }

    private static double CurrentRss()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>Epoch durations from the trainers' own progress reports, taken as they happen (no thread hop).</summary>
    private sealed class EpochClock : IProgress<ProgressReport>
    {
        private readonly Stopwatch clock = new();
        public List<double> EpochMs { get; } = [];
        public double CachingMs { get; private set; }

        public void Start(Stopwatch caching)
        {
            CachingMs = caching.Elapsed.TotalMilliseconds;
            clock.Restart();
        }

        public void Report(ProgressReport value)
        {
            EpochMs.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
        }
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
