using System.Diagnostics;
using System.Text.Json.Nodes;
using BioXBridge.Experiments;
using Xunit;

namespace BioXBridge.Tests.Cli;

/// <summary>
/// The shipped rank-smoke sweep (three ranks of the SynWESAD twin) run once by one local worker: the numbers every other
/// way of running it must reproduce. The sweep tests share it and run one after another (their processes compete for
/// the same cores, and the kill tests time their kills).
/// </summary>
public sealed class RankSmoke : IDisposable
{
    public string Root { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-sweeps-" + Guid.NewGuid().ToString("N"))).FullName;
    public string OneWorker => Path.Combine(Root, "one-worker");
    public string[] Numbers { get; }

    public RankSmoke()
    {
        var (code, _, err) = CliProcess.Run("sweep", "run", "rank-smoke", "--out", OneWorker, "--workers", "1", "--quiet");
        Assert.True(code == 0, err);
        Numbers = SweepCli.Numbers(OneWorker);
        // positions fixed at what selection picks on this twin (m = 4, l = 16): what is killed and resumed is the training
        LongBridge = SweepCli.Write(Root, "long-bridge", "\"bridge.epochs\": 20, \"bridge.eval_every\": 2, \"positions.input\": 4, \"positions.output\": 16");
        longRun = new(() =>
        {
            var dir = Path.Combine(Root, "long-bridge-whole");
            var (code, _, err) = CliProcess.Run("sweep", "run", LongBridge, "--out", dir, "--quiet");
            Assert.True(code == 0, err);
            return (SweepCli.Numbers(dir), SweepCli.BridgeWeights(dir));
        });
    }

    /// <summary>One bridge trained 20 epochs with a checkpoint every 2: long enough to be stopped midway.</summary>
    public string LongBridge { get; }
    /// <summary>Its numbers and bridge file from a run never interrupted (run once, when first needed).</summary>
    private readonly Lazy<(string[] Numbers, byte[] Weights)> longRun;

    /// <summary>
    /// A killed run of <see cref="LongBridge"/> in <paramref name="dir"/>, run again, ended as the uninterrupted one: the
    /// same numbers and the same bridge bits (the test metrics alone are too coarse to tell), in a second, resumed attempt.
    /// </summary>
    public void AssertResumedLikeUninterrupted(string dir)
    {
        Assert.Equal(longRun.Value.Numbers, SweepCli.Numbers(dir));
        Assert.True(longRun.Value.Weights.AsSpan().SequenceEqual(SweepCli.BridgeWeights(dir)), "the resumed bridge's weights differ from the uninterrupted one's");
        Assert.Equal(["2"], SweepCli.Column(dir, "attempts"));
        Assert.StartsWith("resumed", Assert.Single(SweepCli.Column(dir, "resumed")));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public static class SweepCli
{
    /// <summary>sweep.csv without what may differ between equal runs (seconds, attempts, whether it resumed).</summary>
    public static string[] Numbers(string dir)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, SweepResults.CsvFile));
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] is not ("seconds" or "attempts" or "resumed")).ToArray();
        return lines.Select(l => string.Join(',', keep.Select(i => l.Split(',')[i]))).ToArray();
    }

    /// <summary>The bytes of the one point's bridge.safetensors in a one-point sweep folder.</summary>
    public static byte[] BridgeWeights(string dir) =>
        File.ReadAllBytes(Directory.GetFiles(Path.Combine(dir, "points"), "bridge.safetensors", SearchOption.AllDirectories).Single());

    /// <summary>A column of sweep.csv, one value per point.</summary>
    public static string[] Column(string dir, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, SweepResults.CsvFile));
        int i = Array.IndexOf(lines[0].Split(','), name);
        return lines.Skip(1).Select(l => l.Split(',')[i]).ToArray();
    }

    /// <summary>A one-group sweep file in <paramref name="root"/>: the twin with <paramref name="set"/>, bridge alone, seed 0.</summary>
    public static string Write(string root, string name, string set, string axes = """ "bridge.rank": [4] """)
    {
        var file = Path.Combine(root, name + ".json");
        File.WriteAllText(file, $$"""
            { "name": "{{name}}", "direction": "synwesad-ppg-to-ecg",
              "set": { "kd.enabled": false, "kd_contrast.enabled": false, {{set}} },
              "groups": [ { "name": "g", "axes": { {{axes}} } } ] }
            """);
        return file;
    }

    /// <summary>Waits (3 minutes at most) until a file matching <paramref name="pattern"/> appears under <paramref name="dir"/>.</summary>
    public static void WaitFor(string dir, string pattern, Process? p = null)
    {
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(dir) && Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories).Any()))
        {
            if (p?.HasExited == true) Assert.Fail($"the run ended (exit code {p.ExitCode}) before writing {pattern}: {p.StandardOutput.ReadToEnd()} {p.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"no {pattern} under {dir} after 3 minutes");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for a checkpoint matching <paramref name="pattern"/>, then kills the whole process tree mid-epoch.</summary>
    public static void KillAfter(Process p, string dir, string pattern, int delayMs)
    {
        WaitFor(dir, pattern, p);
        Thread.Sleep(delayMs); // into the epoch after the checkpoint
        Assert.False(p.HasExited, "the training finished before the kill; give it more epochs");
        p.Kill(entireProcessTree: true); // SIGKILL: no handler runs, as when a node dies
        p.WaitForExit();
    }
}

[Collection(ChildProcessCollection.Name)]
public class SweepCliTests(RankSmoke smoke)
{
    [Fact]
    public void Two_workers_give_the_numbers_of_one_and_a_rerun_trains_nothing()
    {
        var two = Path.Combine(smoke.Root, "two-workers");
        var (code, output, err) = CliProcess.Run("sweep", "run", "rank-smoke", "--out", two, "--workers", "2", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains("2 worker(s), 1 thread(s) each", output);
        Assert.Equal(smoke.Numbers, SweepCli.Numbers(two));
        Assert.Equal(4, smoke.Numbers.Length);
        Assert.Equal(["1", "4", "16"], SweepCli.Column(two, "bridge_rank"));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(two, "logs")).Length);

        var written = Directory.GetFiles(Path.Combine(two, "points"), "record.json", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        (code, output, err) = CliProcess.Run("sweep", "run", "rank-smoke", "--out", two, "--workers", "2", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains("3 done, 0 failed, 0 running, 0 pending); running 0", output);
        Assert.All(written, w => Assert.Equal(w.Value, File.GetLastWriteTimeUtc(w.Key)));

        (code, output, _) = CliProcess.Run("sweep", "status", two);
        Assert.Equal(0, code);
        Assert.Contains("3 done, 0 failed, 0 running, 0 pending", output);
        var ablations = Ablations.Read(two);   // what 'figures' draws
        Assert.Equal([1, 4, 16], ablations.Sweep("rank").Select(p => p.Rank));
        Assert.True(ablations.Synthetic);

        (code, _, err) = CliProcess.Run("sweep", "run", SweepCli.Write(smoke.Root, "other", "\"bridge.epochs\": 2"), "--out", two);
        Assert.Equal(1, code);
        Assert.Contains("never reused for another plan", err);
    }

    [Fact]
    public void A_bridge_killed_mid_epoch_resumes_to_the_numbers_of_an_uninterrupted_run()
    {
        var (file, killed) = (smoke.LongBridge, Path.Combine(smoke.Root, "bridge-killed"));
        using (var p = CliProcess.Start(null, "sweep", "run", file, "--out", killed, "--quiet"))
            SweepCli.KillAfter(p, Path.Combine(killed, "attempts"), "bridge*.ckpt", 120);
        var status = Assert.Single(SweepFolder.Open(killed).Status());
        for (int i = 0; i < 100 && status.State == PointState.Running; i++, Thread.Sleep(100))
            status = Assert.Single(SweepFolder.Open(killed).Status()); // the worker's lock goes when the OS has reaped it
        Assert.Equal(PointState.Failed, status.State);
        Assert.Contains("ended without a result", status.Detail);
        Assert.Contains("a rerun resumes", status.Detail);

        var (code, _, err) = CliProcess.Run("sweep", "run", file, "--out", killed, "--quiet");
        Assert.True(code == 0, err);
        smoke.AssertResumedLikeUninterrupted(killed);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(killed, "attempts"), "*.ckpt", SearchOption.AllDirectories)); // dropped once written
    }

    [Fact]
    public void A_teacher_killed_mid_epoch_resumes_to_the_same_weights_and_numbers()
    {
        // another data seed: no embedded teacher fits, so the worker trains one into its (private) cache
        var file = SweepCli.Write(smoke.Root, "teacher-kill", "\"dataset.seed\": 5, \"dataset.subjects\": 6, \"teacher.epochs\": 6, \"bridge.epochs\": 2, \"positions.input\": 4, \"positions.output\": 16");
        string TeacherSha(string dir) => JsonNode.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(dir, "points"), "record.json", SearchOption.AllDirectories).Single()))!
            ["weights"]!["teacher"]!.GetValue<string>().Split(' ')[^1];
        var (cacheA, cacheB) = (Path.Combine(smoke.Root, "cache-a"), Path.Combine(smoke.Root, "cache-b"));
        string reference = Path.Combine(smoke.Root, "teacher-whole"), killed = Path.Combine(smoke.Root, "teacher-killed");
        var (code, _, err) = CliProcess.Run(new Dictionary<string, string> { ["BIOXBRIDGE_CACHE"] = cacheA }, "sweep", "run", file, "--out", reference, "--quiet");
        Assert.True(code == 0, err);

        var env = new Dictionary<string, string> { ["BIOXBRIDGE_CACHE"] = cacheB };
        using (var p = CliProcess.Start(env, "sweep", "run", file, "--out", killed, "--quiet"))
            SweepCli.KillAfter(p, cacheB, "*teacher*.ckpt", 300);
        Assert.Empty(Directory.GetFiles(cacheB, "*.safetensors"));      // killed before the teacher was finished

        (code, _, err) = CliProcess.Run(env, "sweep", "run", file, "--out", killed, "--quiet");
        Assert.True(code == 0, err);
        Assert.StartsWith("sha256:", TeacherSha(reference));
        Assert.Equal(TeacherSha(reference), TeacherSha(killed));       // the resumed teacher is bit-identical
        Assert.Equal(SweepCli.Numbers(reference), SweepCli.Numbers(killed));
    }
}

/// <summary>
/// The Slurm backend against a real Slurm: the one-node cluster of tools/slurm-local.sh (CI starts it when it can install
/// packages and sets BIOXBRIDGE_SLURM_PARTITION), or any cluster whose partition that variable names. Without it these
/// tests report themselves skipped; with BIOXBRIDGE_REQUIRE_SLURM=1 they fail instead.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class SlurmSweepTests(RankSmoke smoke)
{
    private static string Partition()
    {
        var partition = Environment.GetEnvironmentVariable("BIOXBRIDGE_SLURM_PARTITION");
        if (string.IsNullOrEmpty(partition))
        {
            Assert.True(Environment.GetEnvironmentVariable("BIOXBRIDGE_REQUIRE_SLURM") != "1", "BIOXBRIDGE_REQUIRE_SLURM=1 but BIOXBRIDGE_SLURM_PARTITION is not set");
            Skip.If(true, "no Slurm: run 'tools/slurm-local.sh start' and set BIOXBRIDGE_SLURM_PARTITION to the partition it prints");
        }
        return partition!;
    }

    [SkippableFact]
    public void A_slurm_array_gives_the_numbers_of_one_local_worker()
    {
        var dir = Path.Combine(smoke.Root, "slurm");
        var (code, output, err) = CliProcess.Run("sweep", "run", "rank-smoke", "--out", dir, "--backend", "slurm", "--partition", Partition(),
                                                 "--workers", "2", "--mem", "2G", "--wait", "--quiet");
        Assert.True(code == 0, err + output);
        Assert.Contains("submitted Slurm job array", output);
        Assert.Equal(smoke.Numbers, SweepCli.Numbers(dir));
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "slurm", "jobs.json")))!.AsArray().Single()!["job"]!.GetValue<string>();
        foreach (var task in new[] { 0, 1, 2 })
            Assert.Contains($"task {task} of job {job}", File.ReadAllText(Path.Combine(dir, "logs", $"slurm-{job}_{task}.log")));
        var script = File.ReadAllText(Directory.GetFiles(Path.Combine(dir, "slurm"), "*.sbatch").Single());
        Assert.Contains("#SBATCH --array=0,1,2%2", script);
        Assert.Contains("#SBATCH --requeue", script);
    }

    [SkippableFact]
    public void A_cancelled_array_task_is_listed_as_failed_and_resumes_when_resubmitted()
    {
        var partition = Partition();
        var (file, dir) = (smoke.LongBridge, Path.Combine(smoke.Root, "slurm-cancel"));
        var (code, output, err) = CliProcess.Run("sweep", "run", file, "--out", dir, "--backend", "slurm", "--partition", partition, "--quiet");
        Assert.True(code == 0, err + output);
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "slurm", "jobs.json")))!.AsArray().Single()!["job"]!.GetValue<string>();
        SweepCli.WaitFor(Path.Combine(dir, "attempts"), "bridge*.ckpt");
        var clock = Stopwatch.StartNew();
        using (var cancel = Process.Start("scancel", $"{job}_0")!)
        {
            cancel.WaitForExit();
            Assert.Equal(0, cancel.ExitCode);
        }
        while (!(output = CliProcess.Run("sweep", "status", dir).Out).Contains("1 failed"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), "the cancelled task is not listed as failed: " + output);
            Thread.Sleep(500);
        }
        Assert.Contains($"slurm-{job}_0.log", output);

        (code, output, err) = CliProcess.Run("sweep", "run", file, "--out", dir, "--backend", "slurm", "--partition", partition, "--only-failed", "--wait", "--quiet");
        Assert.True(code == 0, err + output);
        smoke.AssertResumedLikeUninterrupted(dir);
    }
}
