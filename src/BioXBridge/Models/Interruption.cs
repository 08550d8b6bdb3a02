using System.Runtime.InteropServices;

namespace BioXBridge.Models;

/// <summary>
/// SIGTERM as a request to stop at the next step: Slurm sends it before preempting or cancelling a task (and SIGKILL
/// some seconds later), so a training that checkpoints saves where it is and the task ends with a resumable state instead
/// of losing everything since the last evaluation. Only while such a training runs is the signal taken over; otherwise
/// the process ends as it would without this class. A front end opts in once with <see cref="Enable"/>.
/// </summary>
public static class Interruption
{
    private static PosixSignalRegistration? registration;
    private static int watching;
    private static volatile bool requested;

    /// <summary>Installs the SIGTERM handler (idempotent).</summary>
    public static void Enable() => registration ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
    {
        if (Volatile.Read(ref watching) == 0) return;
        ctx.Cancel = true;
        requested = true;
    });

    /// <summary>Whether a stop was asked for while a checkpointing training ran.</summary>
    public static bool Requested => requested;

    /// <summary>What SIGTERM does, for tests: the next checkpointing step stops.</summary>
    public static void Request() => requested = true;

    /// <summary>Marks a checkpointing training as running until disposed.</summary>
    public static IDisposable Watch()
    {
        Interlocked.Increment(ref watching);
        return new Watcher();
    }

    private sealed class Watcher : IDisposable
    {
        private int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Interlocked.Decrement(ref watching);
        }
    }

    /// <summary>Clears a request once it has been honoured (a checkpoint saved), so the next training in this process runs.</summary>
    internal static void Clear() => requested = false;
}

/// <summary>A training stopped on request after saving its checkpoint; running the same command again resumes it.</summary>
public sealed class TrainingInterruptedException(string checkpoint, string position)
    : Exception($"interrupted: checkpoint saved at {checkpoint} ({position}); run the same command again to resume")
{
    public string Checkpoint => checkpoint;
    public string Position => position;
}
