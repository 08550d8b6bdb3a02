using System.Diagnostics;

namespace BioXBridge.Cli;

/// <summary>
/// Repeated measurements of one thing (milliseconds, or bytes for memory): the median is what a case reports, the
/// smallest and largest say how much the machine disturbed it.
/// </summary>
public sealed record Timing(double[] Runs)
{
    public double Median
    {
        get
        {
            var s = Runs.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
    }

    public double Min => Runs.Min();
    public double Max => Runs.Max();

    /// <summary>(max − min) / median: 0.05 means the runs agree to 5 %.</summary>
    public double Spread => Median == 0 ? 0 : (Max - Min) / Median;

    public static Timing Of(params double[] runs) =>
        runs.Length == 0 ? throw new ArgumentException("a timing needs at least one run", nameof(runs)) : new(runs);

    /// <summary>
    /// Runs <paramref name="work"/> <see cref="Repetitions.Warmup"/> times untimed, then up to
    /// <see cref="Repetitions.Repeats"/> times timed, stopping early once the timed runs have used
    /// <see cref="Repetitions.BudgetMs"/> (at least one timed run). A warm-up that itself lasts longer than
    /// <see cref="Repetitions.LongRunMs"/> counts as the first timed run: what it warms (JIT, allocator, oneDNN
    /// primitives) costs milliseconds, and full-size NormWear passes last tens of seconds on two cores.
    /// </summary>
    public static Timing Measure(Repetitions r, Action work)
    {
        var runs = new List<double>();
        var clock = new Stopwatch();
        double Once()
        {
            clock.Restart();
            work();
            return clock.Elapsed.TotalMilliseconds;
        }
        for (int i = 0; i < r.Warmup; i++)
            if (Once() is var ms && ms > r.LongRunMs) { runs.Add(ms); break; }
        while (runs.Count < r.Repeats && (runs.Count == 0 || runs.Sum() < r.BudgetMs)) runs.Add(Once());
        return Of([.. runs]);
    }
}

/// <summary>How many times each case runs: the full suite, or <c>--quick</c>'s smoke test of every case.</summary>
public sealed record Repetitions(int Warmup, int Repeats, bool Quick, double BudgetMs = 60_000, double LongRunMs = 5_000)
{
    public static readonly Repetitions Full = new(1, 5, false);
    public static readonly Repetitions QuickRun = new(1, 1, true, BudgetMs: 0, LongRunMs: 0);
}
