using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>What one worker did with the points it was given.</summary>
public sealed record SweepTally(int Done, int Failed, int Skipped);

/// <summary>
/// Runs sweep points in this process, the body of every worker (a local process, a Slurm array task, or the
/// <c>ablations</c> command itself). Points that share a <see cref="SweepPoint.SharedKey"/> run one after another on one
/// <see cref="ExperimentContext"/>: the frozen models are loaded (or trained, once, under the store's lock) and the
/// features cached once per worker, however many bridges are trained on them.
/// </summary>
public static class SweepRunner
{
    /// <summary>
    /// Claims and runs each of <paramref name="todo"/> that is neither done nor held by another worker; a failed point is
    /// recorded and the next one runs. A SIGTERM (<see cref="TrainingInterruptedException"/>) stops the worker at once
    /// with the point's checkpoint saved, so a rerun resumes it.
    /// </summary>
    public static SweepTally Run(SweepFolder folder, IReadOnlyList<SweepPoint> todo, Device device, PretrainedStore store, string log,
                                 string? job = null, TextWriter? output = null, IProgress<ProgressReport>? progress = null)
    {
        var left = todo.ToList();
        ExperimentContext? ctx = null;
        int done = 0, failed = 0, skipped = 0;
        try
        {
            while (left.Count > 0)
            {
                var next = left.FirstOrDefault(p => p.SharedKey == ctx?.Key) ?? left[0];
                left.Remove(next);
                using var claim = folder.TryClaim(next, log, job);
                if (claim is null) { skipped++; continue; }
                output?.WriteLine($"[{DateTime.Now:HH:mm:ss}] point {next.Id} ({next.Label}): attempt {claim.Attempt}");
                try
                {
                    if (ctx?.Key != next.SharedKey)
                    {
                        ctx?.Dispose();
                        ctx = null;
                        ctx = ExperimentContext.Load(next.Config, device, progress, store);
                    }
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var (run, info) = RunPoint(ctx, next, folder.CheckpointDir(next), progress);
                    using (run) folder.WriteResult(next, run.Record, info with { Attempt = claim.Attempt, Job = job }, staging => BridgeArtifact.Write(staging, ctx, run));
                    done++;
                    output?.WriteLine($"[{DateTime.Now:HH:mm:ss}] point {next.Id}: done in {clock.Elapsed.TotalSeconds:F1} s, bridge balanced accuracy " +
                                      $"{run.Record.Methods["bridge"].Metrics.BalancedAccuracy:F4}");
                }
                catch (TrainingInterruptedException e)
                {
                    folder.WriteFailure(next, e, log); // says where it stopped; the checkpoint makes the next attempt resume
                    throw;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    folder.WriteFailure(next, e, log);
                    failed++;
                    output?.WriteLine($"[{DateTime.Now:HH:mm:ss}] point {next.Id}: FAILED: {e}");
                }
            }
        }
        finally { ctx?.Dispose(); }
        return new SweepTally(done, failed, skipped);
    }

    /// <summary>
    /// One point on a loaded context: its symbolic positions resolved against the models, the whole method for its seed
    /// (the bridge, and KD or KD-Contrast where enabled), trainings checkpointed into <paramref name="checkpoints"/>
    /// when given. The caller owns the result (its bridge).
    /// </summary>
    public static (SeedRun Run, PointInfo Info) RunPoint(ExperimentContext ctx, SweepPoint p, string? checkpoints, IProgress<ProgressReport>? progress = null)
    {
        int newBlocks = ctx.NewEncoder.BlockCount, oldBlocks = ctx.Teacher.encoder.BlockCount;
        ctx.Retarget(p.Resolve(newBlocks, oldBlocks));
        ctx.CheckpointFolder = checkpoints;
        var run = BridgeExperiment.Run(ctx, p.Seed, progress);
        return (run, new PointInfo(p.Id, p.Index, p.Groups, p.Values, p.Seed, newBlocks, oldBlocks, run.Bridge.PairWindows, 1, null));
    }
}
