using BioXBridge.Data.Fetch;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge data fetch|verify &lt;dataset&gt;</c>: downloads a published data set following its manifest
/// (<c>data-manifests/datasets/</c>) with resume, hash checks, archive extraction and a lock file, and checks later that
/// nothing changed.
/// </summary>
public static class DataCommand
{
    public const string About =
        "Real data sets: 'data fetch' downloads a data set's files following its manifest (data-manifests/datasets/),\n" +
        "resuming interrupted downloads, checking sizes and hashes where known, unpacking archives and recording what\n" +
        "arrived in <root>/data.lock.json; 'data verify' re-hashes them and reports missing or changed files.";

    private static readonly OptionSpec Root = new("root", "DIR", "data root; files go to DIR/<dataset>/, the lock is DIR/data.lock.json");
    private static readonly OptionSpec Help = new("help", null, "show this help");

    private static readonly Dictionary<string, (string About, OptionSpec[] Options, Func<string, string, CliArgs, TextWriter, int> Run)> Sub = new()
    {
        ["fetch"] = ("Downloads <dataset>'s files into --root (resuming a <file>.part with HTTP Range, up to --retries attempts),\n" +
                     "checks size and sha256 where the manifest knows them, renames into place only after the check, unpacks\n" +
                     "zip/RAR archives (path-traversal safe) and records url, size, sha256 and time in data.lock.json.\n" +
                     "<dataset>: wesad, isruc-s1, fog (or a manifest path).",
                     [Root, new("only", "FILE", "fetch just this file of the manifest (its 'name')"),
                      new("retries", "N", "attempts per file, each resuming the .part (default 5)"), Help], Fetch),
        ["verify"] = ("Hashes every file of <dataset> that has a published hash or a lock entry and reports each as ok, CHANGED or\n" +
                      "missing (exit code 1 if any is changed or missing); files with neither are listed as not checked.",
                      [Root, Help], Verify),
        ["prepare"] = ("Turns raw files (or a synthetic generator) into the paper's windows per subject-wise split, written as NumPy:\n" +
                       "<out>/<split>/<modality>.npy (float32, windows × channels × samples), labels.npy (int64), subjects.json,\n" +
                       "and prepared.json with every preprocessing parameter and file hash.\n" +
                       "<dataset>: wesad, isruc-s1, fog (with --raw), synwesad, synisruc, synfog.",
                       [new("raw", "DIR", "raw dataset folder (wesad: the folder holding SX/SX.pkl); not needed for synthetic sets"),
                        new("out", "DIR", "new or empty folder for the prepared data"),
                        new("split-seed", "N", "seed of the split's shuffle (default 0; with --protocol release the release's 6)"),
                        new("protocol", "subjectwise|release", "subjectwise (default): no subject in two splits. release: the release's own\n" +
                            "split — fog: patient 008 only, per-modality FFT labels, windows split at random 33:11:33:22 (WINDOW-LEVEL:\n" +
                            "subject leakage, marked in prepared.json and every run record and report); isruc-s1: its 99 subjects 33/11/33/22"),
                        new("split", "FILE|NAME", "explicit subject split: a split manifest (bioxbridge.split/1) path or a name in\n" +
                            "data-manifests/splits/; replaces the seeded shuffle and must list every subject once"),
                        new("isruc-source", "mat|rec", "isruc-s1: read ExtractedChannels/subject<n>.mat (default) or the EDF RawData/<n>/<n>.rec"),
                        new("emg", "raw|scalogram", "fog: EMG windows for the target model: raw (3, 390) (default; NormWear's scalogram is computed\n" +
                                                    "at model input) or NormWear's input itself, (3, 3, 388, 65) per window (0.9 MB each)"),
                        new("labels", "nearest|fftround", "how labels are carried to each signal's rate (default nearest; fftround = the release)"),
                        new("data-seed", "N", "seed of a synthetic dataset (default 0)"),
                        new("direction", "NAME|FILE", "synthetic sets: render exactly the windows this direction's run generates (its size, seed and\n" +
                                                      "negative-control mode), so 'predict' and prepared-data runs see the same data"),
                        new("negative-control", null, "synthetic sets: the negative-control variant"), Help], Prepare),
    };

    public static int Dispatch(string[] args) => Dispatch(args, Console.Out);

    private static int Prepare(string name, string dataset, CliArgs a, TextWriter output)
    {
        var outDir = a.String("out") ?? throw new UsageException($"{name}: option '--out' is required. See 'bioxbridge {name} --help'.");
        var protocol = a.Enum("protocol", BioXBridge.Data.SplitProtocol.Subjectwise);
        // the library refuses --split with this protocol itself; an explicit --labels nearest it could not tell from the default
        if (protocol == BioXBridge.Data.SplitProtocol.Release && a.Has("labels") && dataset is "fog" or "synfog"
            && a.Enum("labels", BioXBridge.Data.LabelResampling.FftRound) != BioXBridge.Data.LabelResampling.FftRound)
            throw new UsageException($"{name}: --protocol release carries FOG labels as the release does (fftround); drop --labels");
        var options = new BioXBridge.Data.PrepareOptions(a.Has("split-seed") ? a.Int("split-seed", 0, 0) : null, a.Enum("labels", BioXBridge.Data.LabelResampling.Nearest),
                                                         a.Int("data-seed", 0, 0), a.Has("negative-control"),
                                                         a.Enum("isruc-source", BioXBridge.Data.IsrucSource.Mat),
                                                         a.String("split") is { } manifest ? BioXBridge.Data.SplitManifest.Locate(manifest) : null,
                                                         a.Enum("emg", BioXBridge.Data.FogEmgForm.Raw), Protocol: protocol);
        if (a.String("direction") is string direction)
        {
            var cfg = BioXBridge.Experiments.DirectionFiles.Load(direction, a.Has("negative-control") ? ["dataset.negative_control=true"] : []);
            if (cfg.Dataset.Name != dataset)
                throw new UsageException($"{name}: direction '{cfg.Name}' runs on {cfg.Dataset.Name}, not {dataset}");
            if (a.Has("data-seed") || a.Has("split-seed"))
                throw new UsageException($"{name}: --direction fixes the seeds; change them in the direction (--set is not available here)");
            options = BioXBridge.Experiments.DirectionData.Options(cfg.Dataset, cfg.Old.Modality) with
            {
                Labels = options.Labels, SplitManifest = options.SplitManifest, FogEmg = options.FogEmg, Protocol = protocol,
            };
            if (protocol == BioXBridge.Data.SplitProtocol.Release) options = options with { SplitSeed = null }; // the release's seed, not the direction's
        }
        if (a.Has("isruc-source") && dataset != "isruc-s1")
            throw new UsageException($"{name}: option '--isruc-source' applies to isruc-s1 only, not {dataset}");
        if (a.Has("emg") && dataset is not ("fog" or "synfog"))
            throw new UsageException($"{name}: option '--emg' applies to fog and synfog only, not {dataset}");
        var (data, preprocessing) = BioXBridge.Data.DatasetPreparation.Prepare(dataset, a.String("raw"), options);
        BioXBridge.Data.PreparedData.Write(data, outDir, preprocessing);
        foreach (var (split, part) in data.Named())
            output.WriteLine($"{split,-6} {part.Count,6} windows  {string.Join(" ", part.Subjects.Distinct())}");
        output.WriteLine($"prepared {dataset}{(data.Train.Synthetic ? " (SYNTHETIC)" : "")} in {Path.GetFullPath(outDir)}");
        if (data.Leakage is string leak) output.WriteLine("note: " + leak);
        return 0;
    }

    /// <summary>Entry point from Program: <paramref name="args"/> are the words after <c>data</c>.</summary>
    public static int Dispatch(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            output.WriteLine("Usage: bioxbridge data <fetch|verify|prepare> <dataset> [options]\n\n" + About +
                             "\n\nSub-commands:\n" + string.Join("\n", Sub.Select(s => $"  {s.Key,-10} {s.Value.About.Split('\n')[0]}")) +
                             "\n\nRun 'bioxbridge data <sub-command> --help' for its options.");
            return 0;
        }
        if (!Sub.TryGetValue(args[0], out var sub))
            throw new UsageException($"data: unknown sub-command '{args[0]}'. Sub-commands: {string.Join(", ", Sub.Keys)}. See 'bioxbridge data --help'.");
        var name = "data " + args[0];
        string? dataset = args.Length > 1 && !args[1].StartsWith("--") ? args[1] : null;
        var rest = dataset is null ? args[1..] : args[2..];
        var parsed = new CliArgs(name, rest, sub.Options);
        if (parsed.Has("help"))
        {
            output.WriteLine(CliArgs.Help($"Usage: bioxbridge {name} <dataset> [options]", sub.About, sub.Options));
            return 0;
        }
        if (dataset is null)
            throw new UsageException($"{name}: which data set? e.g. 'bioxbridge {name} wesad --root DIR'. Known: {string.Join(", ", DatasetManifest.Available())}");
        return sub.Run(name, dataset, parsed, output);
    }

    private static DatasetManifest Manifest(string command, string dataset)
    {
        try { return DatasetManifest.Find(dataset); }
        catch (FileNotFoundException e)
        {
            throw new UsageException($"{command}: {e.Message}. Known: {string.Join(", ", DatasetManifest.Available())}");
        }
    }

    private static string RootDir(string command, CliArgs a) =>
        a.String("root") ?? throw new UsageException($"{command}: option '--root' is required. See 'bioxbridge {command} --help'.");

    private static int Fetch(string command, string dataset, CliArgs a, TextWriter output)
    {
        var root = RootDir(command, a);
        var m = Manifest(command, dataset);
        var retries = a.Int("retries", 5, min: 1);
        if (m.Synthetic) throw new ArgumentException($"{m.Name} is synthetic: nothing to download — it is generated in code ({m.Source})");
        var files = DatasetFetch.Select(m, a.String("only")); // an unknown --only fails before anything is printed or written
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("bioxbridge-data-fetch/1");
        var downloader = new Downloader(http) { MaxAttempts = retries };
        output.WriteLine($"{m.Name}: {files.Count} of {m.Files.Count} file(s) in {m.Source}; data root {Path.GetFullPath(root)}");
        if (files.Any(f => f.Sha256 is null))
            output.WriteLine($"{m.Name}: note — no published sha256 for {files.Count(f => f.Sha256 is null)} file(s): their hashes are recorded in {LockFile.FileName}, not checked");
        int missing = DatasetFetch.Fetch(m, root, a.String("only"), downloader, output, new ConsoleProgress());
        output.WriteLine(missing == 0 ? $"{m.Name}: done" : $"{m.Name}: {missing} file(s) still to be downloaded by hand (see above)");
        return missing == 0 ? 0 : 1;
    }

    private static int Verify(string command, string dataset, CliArgs a, TextWriter output)
    {
        var root = RootDir(command, a);
        var m = Manifest(command, dataset);
        if (m.Synthetic)
        {
            output.WriteLine($"{m.Name} is synthetic: nothing to verify (it is generated in code)");
            return 0;
        }
        var report = DatasetFetch.Verify(m, root);
        foreach (var line in report.Lines)
            output.WriteLine($"{line.Status.ToString().ToLowerInvariant(),-9} {line.File}: {line.Detail}");
        if (report.TreeChecked > 0)
            output.WriteLine($"expected tree: {report.TreePresent} of {report.TreeChecked} listed paths present{(m.ExpectedTreeVerified ? "" : " (tree not verified against the real archive)")}");
        int changed = report.Lines.Count(l => l.Status == DatasetFetch.Status.Changed), missing = report.Lines.Count(l => l.Status == DatasetFetch.Status.Missing);
        output.WriteLine($"{m.Name}: {report.Lines.Count(l => l.Status == DatasetFetch.Status.Ok)} ok, {changed} changed, {missing} missing, " +
                         $"{report.Lines.Count(l => l.Status == DatasetFetch.Status.Unchecked)} not checked");
        return report.Ok ? 0 : 1;
    }

    /// <summary>Download/extract progress on stderr, one line per 10 % (or per 256 MiB when the size is unknown).</summary>
    private sealed class ConsoleProgress : IProgress<ProgressReport>
    {
        private string? step;
        private long last = -1;

        public void Report(ProgressReport r)
        {
            long mark = r.Total > 0 ? r.Done * 10L / r.Total : r.Done / (256 * 1024);
            if (r.Step == step && mark == last && r.Detail?.Contains("failed") != true) return;
            (step, last) = (r.Step, mark);
            Console.Error.WriteLine(r.Total > 0 ? $"  {r.Step}: {100.0 * r.Done / r.Total:F0} % {r.Detail}" : $"  {r.Step}: {r.Detail}");
        }
    }
}
