using System.Diagnostics;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary>
/// <c>sweep run</c> and the worker it starts. Locally, N worker processes share the folder's point list and take points
/// by claim; on Slurm, one array task per point (<see cref="SlurmArray"/>). Either way a worker is
/// <see cref="SweepRunner.Run"/> in its own process with a fixed number of torch threads, so a point's numbers do not
/// depend on the backend, the worker count or which points ran before it.
/// </summary>
public static class SweepRun
{
    public static readonly OptionSpec[] Options =
    [
        new("out", "DIR", "the sweep folder (created, or reopened to run what is left of the same plan)"),
        new("backend", "local|slurm", "local worker processes (default) or a Slurm job array"),
        new("workers", "N", "local: worker processes (default 1); slurm: array tasks running at once (the % throttle, default all)"),
        new("threads", "N", "torch threads per worker or task (default 1: identical numbers on every backend)"),
        new("only-failed", null, "run only the points whose last attempt failed (see 'sweep status')"),
        new("device", "cpu|cuda", "torch device of the workers (default cpu)"),
        new("wait", null, "slurm: wait until the array has finished, then collect"),
        new("partition", "P", "slurm: partition (sbatch --partition)"),
        new("time", "T", "slurm: time limit per point, e.g. 2:00:00 (sbatch --time)"),
        new("mem", "M", "slurm: memory per point, e.g. 8G (sbatch --mem)"),
        new("cpus", "C", "slurm: CPUs per point (sbatch --cpus-per-task; default: --threads)"),
        new("gpus", "G", "slurm: GPUs per point (sbatch --gpus; use with --device cuda)"),
        new("account", "A", "slurm: account to charge (sbatch --account)"),
        new("prelude", "CMD", "slurm: shell lines the task runs first, e.g. 'module load dotnet'"),
        new("quiet", null, "no progress display"),
    ];

    public static readonly OptionSpec[] WorkerOptions =
    [
        new("points", "IDS", "comma-separated point ids to take, in order"),
        new("index", "I", "the one point with this plan index (a Slurm array task: $SLURM_ARRAY_TASK_ID)"),
        new("threads", "N", "torch threads (default 1)"),
        new("device", "cpu|cuda", "torch device (default cpu)"),
        new("log", "FILE", "where this worker's output goes (recorded with each attempt)"),
    ];

    public static int Run(string file, CliArgs a)
    {
        var dir = a.String("out") ?? throw new UsageException("sweep run: --out DIR is required (a new folder, or the folder of this sweep to finish it)");
        var backend = a.String("backend") ?? "local";
        if (backend is not ("local" or "slurm")) throw new UsageException($"sweep run: option '--backend' expects local or slurm, got '{backend}'");
        var folder = SweepFolder.Create(SweepPlan.Of(SweepFile.Load(file)), dir);
        var status = folder.Status();
        var todo = status.Where(s => a.Has("only-failed") ? s.State == PointState.Failed : s.State is PointState.Pending or PointState.Failed)
                         .Select(s => s.Point).ToList();
        AnsiConsole.MarkupLineInterpolated($"{folder.Plan.Sweep.Name}: {folder.Plan.Points.Count} points ({SweepCommand.Counts(status)}); running {todo.Count} into {folder.Dir}");
        if (todo.Count == 0) return Finish(folder);
        int threads = a.Int("threads", 1, 1);
        if (backend == "slurm")
        {
            var job = SlurmArray.Submit(folder, todo, SlurmArray.Settings.From(a, threads));
            AnsiConsole.MarkupLineInterpolated($"submitted Slurm job array {job} ({todo.Count} tasks); 'sweep status {dir}' follows it");
            if (!a.Has("wait")) return 0;
            SlurmArray.Wait(job);
            return Finish(folder);
        }
        var clock = Stopwatch.StartNew();
        int workers = Math.Min(a.Int("workers", 1, 1), todo.Count);
        var failed = StartWorkers(folder, todo, workers, threads, a.String("device") ?? "cpu", a.Has("quiet"));
        AnsiConsole.MarkupLineInterpolated($"{workers} worker(s), {threads} thread(s) each: {clock.Elapsed.TotalSeconds:F1} s");
        return Finish(folder) == 0 && failed == 0 ? 0 : 1;
    }

    /// <summary>Starts the local workers, each on the whole list (claims share it out), and follows the folder until all exit.</summary>
    private static int StartWorkers(SweepFolder folder, IReadOnlyList<SweepPoint> todo, int workers, int threads, string device, bool quiet)
    {
        Directory.CreateDirectory(folder.LogDir);
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss");
        var processes = Enumerable.Range(1, workers).Select(k =>
        {
            var log = Path.Combine(folder.LogDir, $"worker-{stamp}-{k}.log");
            // every worker gets every point, starting at its own: they meet at the claims, and no one waits on a slow one
            var order = todo.Skip(k - 1).Concat(todo.Take(k - 1));
            var psi = SelfProcess.StartInfo(["sweep", "worker", folder.Dir, "--points", string.Join(',', order.Select(p => p.Id)),
                                             "--threads", $"{threads}", "--device", device, "--log", log]);
            psi.RedirectStandardOutput = psi.RedirectStandardError = true;
            var writer = new StreamWriter(log, append: true) { AutoFlush = true };
            var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return (Process: p, Writer: writer);
        }).ToList();
        // a SIGTERM to this process reaches the workers, which checkpoint and stop (a rerun resumes them)
        using var forward = SelfProcess.ForwardTerminate(() => processes.Select(w => w.Process));
        Follow(folder, todo.Count, () => processes.All(w => w.Process.HasExited), quiet);
        int failed = 0;
        foreach (var (p, writer) in processes)
        {
            p.WaitForExit();
            if (p.ExitCode != 0) failed++;
            writer.Dispose();
            p.Dispose();
        }
        return failed;
    }

    /// <summary>A bar of finished points, redrawn from the folder until <paramref name="finished"/> says the workers are gone.</summary>
    public static void Follow(SweepFolder folder, int total, Func<bool> finished, bool quiet)
    {
        // counts finished folders only: probing the claims would contend with the workers taking them
        int before = folder.Plan.Points.Count(folder.IsDone);
        int Done() => folder.Plan.Points.Count(folder.IsDone) - before;
        ConsoleProgress.Run(quiet, p =>
        {
            while (!finished())
            {
                p?.Report(new ProgressReport("sweep", Done(), total, "points finished"));
                Thread.Sleep(1000);
            }
            p?.Report(new ProgressReport("sweep", Done(), total, "points finished"));
            return 0;
        });
    }

    private static int Finish(SweepFolder folder)
    {
        var results = SweepResults.Collect(folder);
        var status = folder.Status();
        AnsiConsole.MarkupLineInterpolated($"{SweepCommand.Counts(status)}; {results.Count} collected into {Path.Combine(folder.Dir, SweepResults.CsvFile)}");
        foreach (var s in status.Where(s => s.State == PointState.Failed))
            AnsiConsole.MarkupLineInterpolated($"[red]failed[/] {s.Point.Id} ({s.Point.Label}): {s.Detail} — log: {s.Log}");
        return status.Any(s => s.State == PointState.Failed) ? 1 : 0;
    }

    /// <summary><c>sweep worker DIR</c>: runs the given points here, output on stdout (the caller keeps the log).</summary>
    public static int Worker(string dir, CliArgs a)
    {
        var folder = SweepFolder.Open(dir);
        TorchSharp.torch.set_num_threads(a.Int("threads", 1, 1));
        IReadOnlyList<SweepPoint> todo;
        if (a.Has("index"))
        {
            int i = a.Int("index", 0, 0);
            todo = [folder.Plan.Points.ElementAtOrDefault(i) ?? throw new UsageException($"sweep worker: --index {i}: the plan has points 0..{folder.Plan.Points.Count - 1}")];
        }
        else
        {
            var byId = folder.Plan.Points.ToDictionary(p => p.Id);
            todo = (a.String("points") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(id => byId.TryGetValue(id, out var p) ? p : throw new UsageException($"sweep worker: no point '{id}' in {dir}")).ToList();
        }
        string? job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is string array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}" : null;
        var log = a.String("log") ?? "(stdout)";
        var tally = SweepRunner.Run(folder, todo, ExperimentOptions.Device(a), new PretrainedStore(), log, job, Console.Out, new Lines());
        Console.WriteLine($"worker: {tally.Done} done, {tally.Failed} failed, {tally.Skipped} taken by other workers or already done");
        return tally.Failed > 0 ? 1 : 0;
    }

    /// <summary>A worker's log: every report as a line, so an epoch-by-epoch record of each point (and of a resume) is kept.</summary>
    private sealed class Lines : IProgress<ProgressReport>
    {
        public void Report(ProgressReport r) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {r.Step} {r.Done}/{r.Total}{(r.Detail is null ? "" : ": " + r.Detail)}");
    }
}
