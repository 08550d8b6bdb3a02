using System.Diagnostics;
using BioXBridge.Tests.Cli;
using Xunit;

namespace BioXBridge.Tests.Reliability;

/// <summary>
/// Stages killed, run twice at once, or starved of disk: no partial output under a final name, the same result when the
/// same command runs again, one clear error otherwise. Here: data prepare, pretrain and figures; the training stages of a
/// run are covered by the sweep tests (a bridge and a teacher killed mid-epoch resume bit-identically), downloads by
/// FetchTests (a cut connection resumes its part file).
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class FaultInjectionTests
{
    private static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-faults-" + Guid.NewGuid().ToString("N"))).FullName;

    private static Dictionary<string, byte[]> Files(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public void A_data_prepare_killed_while_writing_leaves_nothing_under_its_name_and_the_rerun_writes_the_same_files()
    {
        var root = TempDir();
        try
        {
            var reference = Path.Combine(root, "whole");
            var (code, _, err) = CliProcess.Run("data", "prepare", "synwesad", "--out", reference);
            Assert.True(code == 0, err);

            // the files are written into a hidden staging folder in the last second of a 3-s run: kill as soon as it appears
            var killed = Path.Combine(root, "killed");
            KillMidway(["data", "prepare", "synwesad", "--out", killed], () => Directory.EnumerateDirectories(root, ".killed.partial-*").Any(),
                reset: () => { if (Directory.Exists(killed)) Directory.Delete(killed, recursive: true); });
            Assert.False(Directory.Exists(killed), "a killed prepare left a folder under its final name");
            Assert.Single(Directory.EnumerateDirectories(root, ".killed.partial-*")); // hidden, and only until the rerun

            (code, _, err) = CliProcess.Run("data", "prepare", "synwesad", "--out", killed);
            Assert.True(code == 0, err);
            Assert.Empty(Directory.EnumerateDirectories(root, ".killed.partial-*")); // the dead process's staging is cleared
            var (a, b) = (Files(reference), Files(killed));
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            Assert.All(a, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(b[kv.Key]), $"{kv.Key} differs"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>
    /// Starts the CLI and kills its whole process tree as soon as <paramref name="due"/> holds. A run that finishes
    /// first won the race: <paramref name="reset"/> undoes it and it is tried again, three times at most.
    /// </summary>
    private static void KillMidway(string[] args, Func<bool> due, Action reset)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            reset();
            using var p = CliProcess.Start(null, args);
            while (!p.HasExited && !due()) Thread.Sleep(5);
            if (p.HasExited) { p.WaitForExit(); continue; }
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return;
        }
        Assert.Fail($"'{string.Join(' ', args)}' finished before every kill");
    }

    [Fact]
    public void A_pretrain_killed_while_training_the_teacher_leaves_no_weights_under_their_name_and_the_rerun_writes_the_same_weights()
    {
        var root = TempDir();
        try
        {
            // a small twin (two pre-training epochs, six teacher epochs, six subjects of 2 minutes per class): seconds, not minutes
            string[] Args(string dir) => ["pretrain", "--set", "teacher.epochs=6", "--set", "pretraining.epochs=2", "--set", "pretraining.subjects=2",
                "--set", "dataset.subjects=6", "--set", "dataset.minutes_per_class=2", "--quiet", "--out", dir];
            var reference = Path.Combine(root, "whole");
            var (code, _, err) = CliProcess.Run(Args(reference));
            Assert.True(code == 0, err);

            // the teacher checkpoints at its first evaluation (epoch 5 of 6): by then the encoder is written and the teacher is not
            var killed = Path.Combine(root, "killed");
            KillMidway(Args(killed), () => Directory.Exists(killed) && Directory.EnumerateFiles(killed, "*teacher*.ckpt").Any(),
                reset: () => { if (Directory.Exists(killed)) Directory.Delete(killed, recursive: true); });
            Assert.Empty(Directory.EnumerateFiles(killed, "*teacher*.safetensors"));
            Assert.Single(Directory.EnumerateFiles(killed, "*encoder*.safetensors"));

            (code, _, err) = CliProcess.Run(Args(killed));
            Assert.True(code == 0, err);
            var (a, b) = (Files(reference), Files(killed));
            Assert.Equal(2, a.Keys.Count(k => k.EndsWith(".safetensors")));
            Assert.Equal(a.Keys.Order(), b.Keys.Order());   // no checkpoint or temporary file is left beside the weights
            Assert.All(a, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(b[kv.Key]), $"{kv.Key} differs"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void A_figures_export_killed_while_drawing_leaves_no_folder_and_the_rerun_draws_the_same_figures()
    {
        var root = TempDir();
        try
        {
            var runs = Path.Combine(root, "runs");
            BioXBridge.Experiments.Ablations.Write(Experiments.FigureTests.Handmade(), Path.Combine(runs, "abl"));
            // with Chromium the PNGs take seconds (and the kill takes its browser processes too); without, HTML only
            bool png = BioXBridge.Reports.HeadlessChromium.Find() is not null;
            string[] Args(string dir) => ["figures", "--runs", runs, "--out", dir, .. png ? Array.Empty<string>() : ["--no-png"]];
            var reference = Path.Combine(root, "whole");
            var (code, _, err) = CliProcess.Run(Args(reference));
            Assert.True(code == 0, err);

            var killed = Path.Combine(root, "killed");
            KillMidway(Args(killed), () => Directory.EnumerateDirectories(root, ".killed.partial-*").Any(d => Directory.EnumerateFiles(d).Any()),
                reset: () => { if (Directory.Exists(killed)) Directory.Delete(killed, recursive: true); });
            Assert.False(Directory.Exists(killed), "a killed figures export left a folder under its final name");

            (code, _, err) = CliProcess.Run(Args(killed));
            Assert.True(code == 0, err);
            Assert.Empty(Directory.EnumerateDirectories(root, ".killed.partial-*"));
            var (a, b) = (Files(reference), Files(killed));
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            Assert.Contains(a.Keys, k => k.EndsWith(png ? ".png" : ".html"));
            // Plotly.NET names each chart's <div> and render function by a fresh GUID; everything else of a page is the same
            static string Page(byte[] html) => System.Text.RegularExpressions.Regex.Replace(System.Text.Encoding.UTF8.GetString(html),
                "[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", "GUID");
            Assert.All(a.Where(kv => kv.Key.EndsWith(".html")), kv => Assert.Equal(Page(kv.Value), Page(b[kv.Key])));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Two_runs_started_at_once_on_one_folder_leave_one_complete_run_and_one_clear_error()
    {
        var root = TempDir();
        try
        {
            var dir = Path.Combine(root, "runs");
            string[] args = ["run", "--direction", "synwesad-ppg-to-ecg", "--set", "bridge.epochs=2", "--set", "positions.input=4", "--set", "positions.output=16",
                             "--no-kd", "--quiet", "--threads", "1", "--out", dir];
            using var first = CliProcess.Start(null, args);
            using var second = CliProcess.Start(null, args);
            var errors = new[] { first, second }.Select(p => { var e = p.StandardError.ReadToEndAsync(); p.WaitForExit(); return (p.ExitCode, e.Result); }).ToList();
            var ok = Assert.Single(errors, e => e.ExitCode == 0);
            var refused = Assert.Single(errors, e => e.ExitCode != 0);
            Assert.Equal(1, refused.ExitCode);
            Assert.Matches("another process wrote runs here|holds a finished run|not empty", refused.Result);
            Assert.True(File.Exists(Path.Combine(dir, "aggregate.json")));
            Assert.Equal(["aggregate.csv", "aggregate.json", "seed-0"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order());
            Assert.Empty(Directory.EnumerateDirectories(root, ".*partial*", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [SkippableFact]
    public void A_full_disk_is_one_clear_error_and_leaves_no_partial_output()
    {
        Skip.IfNot(Environment.UserName == "root" && File.Exists("/bin/mount"), "mounting a small tmpfs needs root");
        var mount = TempDir();
        static int Sh(string cmd, string args) { using var p = Process.Start(cmd, args)!; p.WaitForExit(); return p.ExitCode; }
        Skip.If(Sh("mount", $"-t tmpfs -o size=8m tmpfs {mount}") != 0, "this machine does not allow mounting a tmpfs");
        try
        {
            var dir = Path.Combine(mount, "prepared");
            var (code, _, err) = CliProcess.Run("data", "prepare", "synwesad", "--out", dir);  // 86 MB into 8 MB
            Assert.Equal(1, code);
            Assert.Contains("No space left on device", err);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Empty(Directory.EnumerateFileSystemEntries(mount)); // neither the folder nor its staging
        }
        finally
        {
            Sh("umount", mount);
            Directory.Delete(mount, recursive: true);
        }
    }
}
