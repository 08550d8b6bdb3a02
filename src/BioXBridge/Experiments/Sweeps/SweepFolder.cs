using System.Text.Json;

namespace BioXBridge.Experiments;

public enum PointState { Pending, Running, Failed, Done }

/// <summary>A point's state; <see cref="Detail"/> says why it failed, <see cref="Log"/> where its output went.</summary>
public sealed record PointStatus(SweepPoint Point, PointState State, string? Detail, string? Log);

/// <summary><c>attempts/ID/attempt.json</c>: who runs (or last ran) a point, and where it writes its log.</summary>
public sealed record PointAttempt(int Number, string Host, int Pid, DateTime StartedUtc, string Log, string? Job);

/// <summary><c>points/ID/point.json</c>: the point beside its run record, with what only the run knew.</summary>
public sealed record PointInfo(string Id, int Index, string[] Groups, SortedDictionary<string, string> Values, int Seed,
                               int NewBlocks, int OldBlocks, int PairWindows, int Attempt, string? Job);

/// <summary>
/// A sweep on disk, shared by every worker, local or on a cluster's nodes (a shared file system):
/// <code>
/// DIR/sweep.json            the sweep file as given          DIR/plan.json     its points (workers read only this)
/// DIR/points/ID/            a finished point: record.json, results.csv, point.json, the bridge (appears whole)
/// DIR/attempts/ID/claim.lock    held (flock) while a worker runs the point; the OS frees it when the worker dies
/// DIR/attempts/ID/attempt.json  who ran it last and its log;     failed.json: the error of a failed attempt
/// DIR/attempts/ID/checkpoints/  the trainings' checkpoints (resume after a kill); deleted once the point is written
/// DIR/logs/                 worker and Slurm task logs;     DIR/sweep.csv and ablations.*: what 'sweep collect' writes
/// </code>
/// A point is done once its folder exists and is never run again; two workers never run one point (the lock).
/// </summary>
public sealed class SweepFolder
{
    public const string PlanFile = "plan.json", SweepFileName = "sweep.json", PointFile = "point.json";
    public string Dir { get; }
    public SweepPlan Plan { get; }

    private SweepFolder(string dir, SweepPlan plan) => (Dir, Plan) = (Path.GetFullPath(dir), plan);

    /// <summary>
    /// The folder of <paramref name="plan"/>: created when new or empty, opened when it holds this very plan (to run
    /// what is left), refused when it holds another sweep or anything else.
    /// </summary>
    public static SweepFolder Create(SweepPlan plan, string dir)
    {
        var planPath = Path.Combine(dir, PlanFile);
        if (File.Exists(planPath))
        {
            var held = Open(dir);
            if (held.Plan.Hash != plan.Hash)
                throw new IOException($"{dir}: holds sweep '{held.Plan.Sweep.Name}' (plan {held.Plan.Hash}, {held.Plan.Points.Count} points); " +
                                      $"this sweep plans {plan.Hash} ({plan.Points.Count} points). Sweep folders are never reused for another plan; choose another folder");
            return held;
        }
        RunFolder.Check(dir);
        Directory.CreateDirectory(dir);
        OutputFolder.WriteFile(Path.Combine(dir, SweepFileName), plan.Sweep.ToJson());
        OutputFolder.WriteFile(planPath, plan.ToJson());
        return new SweepFolder(dir, plan);
    }

    public static SweepFolder Open(string dir)
    {
        var path = Path.Combine(dir, PlanFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir}: not a sweep folder ({PlanFile} missing); 'sweep run FILE --out {dir}' makes one", path);
        return new SweepFolder(dir, SweepPlan.FromJson(File.ReadAllText(path), path));
    }

    public string PointDir(SweepPoint p) => Path.Combine(Dir, "points", p.Id);
    public string WorkDir(SweepPoint p) => Path.Combine(Dir, "attempts", p.Id);
    public string CheckpointDir(SweepPoint p) => Path.Combine(WorkDir(p), "checkpoints");
    public string LogDir => Path.Combine(Dir, "logs");
    public bool IsDone(SweepPoint p) => File.Exists(Path.Combine(PointDir(p), RunFolder.RecordFile));

    /// <summary>
    /// Takes <paramref name="p"/> for this process, or null when it is done or another worker holds it. The claim is an
    /// exclusive lock on <c>claim.lock</c> held until disposed; a killed worker's lock is released by the OS, so there
    /// are no stale claims to clean up.
    /// </summary>
    public Claim? TryClaim(SweepPoint p, string log, string? job)
    {
        if (IsDone(p)) return null;
        Directory.CreateDirectory(WorkDir(p));
        if (FileLock.TryTake(Path.Combine(WorkDir(p), "claim.lock")) is not { } held) return null;
        if (IsDone(p)) { held.Dispose(); return null; } // finished between the check and the lock
        int number = (Read<PointAttempt>(p, "attempt.json")?.Number ?? 0) + 1;
        OutputFolder.WriteFile(Path.Combine(WorkDir(p), "attempt.json"), JsonSerializer.Serialize(
            new PointAttempt(number, Environment.MachineName, Environment.ProcessId, DateTime.UtcNow, log, job), RunRecord.Json));
        File.Delete(Path.Combine(WorkDir(p), "failed.json"));
        return new Claim(held, number);
    }

    /// <summary>Writes a finished point (record, results, point.json and what <paramref name="extra"/> adds) and drops its checkpoints.</summary>
    public void WriteResult(SweepPoint p, RunRecord record, PointInfo info, Action<string>? extra = null)
    {
        RunFolder.Write(record, PointDir(p), staging =>
        {
            File.WriteAllText(Path.Combine(staging, PointFile), JsonSerializer.Serialize(info, RunRecord.Json));
            extra?.Invoke(staging);
        });
        if (Directory.Exists(CheckpointDir(p))) Directory.Delete(CheckpointDir(p), recursive: true);
    }

    public void WriteFailure(SweepPoint p, Exception e, string log) =>
        OutputFolder.WriteFile(Path.Combine(WorkDir(p), "failed.json"), JsonSerializer.Serialize(new { Error = e.Message, Type = e.GetType().Name, Log = log, FailedUtc = DateTime.UtcNow }, RunRecord.Json));

    /// <summary>
    /// Every point's state from the files alone: done (its folder), running (its lock is held), failed (an attempt
    /// that left an error, or that ended without a result: killed, timed out, cancelled), else pending.
    /// </summary>
    public IReadOnlyList<PointStatus> Status() => Plan.Points.Select(p =>
    {
        if (IsDone(p)) return new PointStatus(p, PointState.Done, null, null);
        var attempt = Read<PointAttempt>(p, "attempt.json");
        if (attempt is null) return new PointStatus(p, PointState.Pending, null, null);
        if (FileLock.Held(Path.Combine(WorkDir(p), "claim.lock"))) return new PointStatus(p, PointState.Running, $"attempt {attempt.Number} on {attempt.Host}, pid {attempt.Pid}" + (attempt.Job is null ? "" : $", job {attempt.Job}"), attempt.Log);
        var error = File.Exists(Path.Combine(WorkDir(p), "failed.json"))
            ? JsonDocument.Parse(File.ReadAllText(Path.Combine(WorkDir(p), "failed.json"))).RootElement.GetProperty("error").GetString()
            : "ended without a result (killed, timed out or cancelled)";
        var resumable = Directory.Exists(CheckpointDir(p)) && Directory.EnumerateFiles(CheckpointDir(p)).Any() ? "; its checkpoints are kept, a rerun resumes" : "";
        return new PointStatus(p, PointState.Failed, $"attempt {attempt.Number}: {error}{resumable}", attempt.Log);
    }).ToList();

    private T? Read<T>(SweepPoint p, string file) where T : class
    {
        var path = Path.Combine(WorkDir(p), file);
        return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), RunRecord.Json) : null;
    }

    /// <summary>A held point: the lock is released on dispose (or when the process ends, however it ends).</summary>
    public sealed class Claim(FileStream held, int attempt) : IDisposable
    {
        public int Attempt => attempt;
        public void Dispose() => held.Dispose();
    }
}
