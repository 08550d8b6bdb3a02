using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary>Draws the library's progress reports as one console bar per step.</summary>
public sealed class ConsoleProgress(ProgressContext context) : IProgress<ProgressReport>
{
    private readonly Dictionary<string, ProgressTask> tasks = new();

    public void Report(ProgressReport r)
    {
        if (!tasks.TryGetValue(r.Step, out var task))
            tasks[r.Step] = task = context.AddTask(Markup.Escape(r.Step), maxValue: Math.Max(1, r.Total));
        task.MaxValue = Math.Max(1, r.Total);
        task.Value = r.Done;
        task.Description = Markup.Escape(r.Detail is null ? r.Step : $"{r.Step}: {r.Detail}");
    }

    /// <summary>Runs <paramref name="work"/> under a live progress display (plain lines when output is redirected).</summary>
    public static T Run<T>(bool quiet, Func<IProgress<ProgressReport>?, T> work)
    {
        if (quiet) return work(null);
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(new LineProgress());
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => work(new ConsoleProgress(ctx)));
    }

    /// <summary>Redirected output (CI, logs): one line when a step starts and one when it ends, no animation.</summary>
    private sealed class LineProgress : IProgress<ProgressReport>
    {
        private readonly HashSet<string> started = new(), finished = new();

        public void Report(ProgressReport r)
        {
            if (started.Add(r.Step)) Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {r.Step} …");
            if (r.Done >= r.Total && finished.Add(r.Step)) Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {r.Step}: done{(r.Detail is null ? "" : " (" + r.Detail + ")")}");
        }
    }
}
