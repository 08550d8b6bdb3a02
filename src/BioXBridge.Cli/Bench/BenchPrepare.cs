using System.Diagnostics;
using BioXBridge.Data;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge bench prepare</c>: WESAD preprocessing throughput at full scale. SynWESAD renders sessions at the real
/// rates (ECG and labels 700 Hz, BVP 64 Hz, by default 15 subjects × ~100 min); this code's pipeline
/// (<see cref="WesadPreprocessing.Prepare"/>, nearest labels) is timed on them, the same raw arrays are written as .npy
/// to a temporary folder, and tools/golden/prepare_reference.py --bench times the numpy/scipy pipeline on exactly those
/// arrays. Both exclude generation and file reading; both must produce the same number of windows.
/// </summary>
public static class BenchPrepare
{
    public static readonly OptionSpec[] Options =
    [
        new("subjects", "N", "synthetic subjects (default 15, as WESAD)"),
        new("minutes-per-class", "M", "minutes of each of baseline/stress/amusement per session (default 32: ~100-min sessions)"),
        new("threads", "N", "1 (default): subjects one after another, as the single-threaded reference; 2: two at a time (PrepareAll)"),
        new("python", "PATH", "Python with numpy + scipy for the reference (default /usr/bin/python3); 'none' skips it"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Times WESAD preprocessing (windows/s) on full-size synthetic sessions against the numpy/scipy reference\n" +
        "(tools/golden/prepare_reference.py --bench) on the same raw arrays, in the same run, and prints the ratio.";

    public static int Run(CliArgs a)
    {
        int subjects = a.Int("subjects", 15, 1), threads = a.Int("threads", 1, 1);
        if (threads > 2) throw new UsageException("bench prepare: --threads is 1 or 2 (PrepareAll runs two subjects at a time)");
        var c = Compare(subjects, a.Double("minutes-per-class", 32), threads, a.String("python") ?? PythonReference.DefaultPython, Console.WriteLine);
        if (c.Peer is null) return a.String("python") == "none" ? 0 : 1;
        Console.WriteLine($"BioXBridge / reference throughput: {c.Ratio:F2}×");
        return 0;
    }

    /// <summary>
    /// Times both pipelines on the same full-rate sessions; the case's times are for all windows (ratio = throughput
    /// ratio). Peer null when <paramref name="python"/> is "none" or the reference cannot run.
    /// </summary>
    /// <exception cref="InvalidOperationException">The two pipelines made different numbers of windows.</exception>
    public static BenchCase Compare(int subjects, double minutes, int threads, string python, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var sessions = SynWesad.Generate(new SynWesadConfig(Subjects: subjects, MinutesPerClass: minutes));
        double hours = sessions.Sum(s => s.DurationSeconds) / 3600;
        log($"SynWESAD: {subjects} subjects, {hours * 60 / subjects:F1} min each on average ({hours:F2} h), " +
            $"ECG {WesadSession.EcgHz} Hz, BVP {WesadSession.BvpHz} Hz; generated in {clock.Elapsed.TotalSeconds:F1} s");

        WesadPreprocessing.Prepare(sessions[0] with { ChestEcg = sessions[0].ChestEcg[..(700 * 120)], Label = sessions[0].Label[..(700 * 120)],
                                                      WristBvp = sessions[0].WristBvp[..(64 * 120)] }, "warm-up", true); // JIT
        clock.Restart();
        int ours = threads == 1 ? sessions.Sum(s => WesadPreprocessing.Prepare(s, "bench", true).Count)
                                : WesadPreprocessing.PrepareAll(sessions, "bench", true).Count;
        double oursS = clock.Elapsed.TotalSeconds;
        log($"{"pipeline",-28} {"windows",8} {"seconds",9} {"windows/s",10}");
        log($"{$"BioXBridge ({threads} thread(s))",-28} {ours,8} {oursS,9:F2} {ours / oursS,10:F1}");
        var detail = new Dictionary<string, object?> { ["subjects"] = subjects, ["hours"] = hours, ["windows"] = ours, ["threads"] = threads };
        BenchCase Case(Timing? peer) => new("prepare_vs_scipy_wesad", "ms", Timing.Of(oursS * 1000), peer, null,
            $"WESAD preprocessing of {hours:F1} h of full-rate synthetic sessions: numpy/scipy time ÷ ours (same arrays, same windows)", detail);
        if (python == "none") return Case(null);

        var dir = Directory.CreateTempSubdirectory("bioxbridge-bench-prepare-").FullName;
        try
        {
            foreach (var s in sessions)
            {
                Npy.Write<double>(Path.Combine(dir, s.Subject + ".ecg.npy"), s.ChestEcg, s.ChestEcg.Length);
                Npy.Write<double>(Path.Combine(dir, s.Subject + ".bvp.npy"), s.WristBvp, s.WristBvp.Length);
                Npy.Write<long>(Path.Combine(dir, s.Subject + ".label.npy"), s.Label.Select(l => (long)l).ToArray(), s.Label.Length);
            }
            if (Reference(python, dir) is not { } reference) return Case(null);
            var (windows, seconds) = reference;
            log($"{"numpy/scipy (1 thread)",-28} {windows,8} {seconds,9:F2} {windows / seconds,10:F1}");
            if (windows != ours)
                throw new InvalidOperationException($"bench prepare: the reference made {windows} windows, this code {ours}: the pipelines differ");
            return Case(Timing.Of(seconds * 1000));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static (int Windows, double Seconds)? Reference(string python, string dir) =>
        PythonReference.Run(python, "prepare_reference.py", ["--bench", dir], 1, "bench prepare") is { } r
            ? (r.GetProperty("windows").GetInt32(), r.GetProperty("seconds").GetDouble()) : null;
}
