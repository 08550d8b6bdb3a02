using System.Text.Json.Nodes;
using Xunit;

namespace BioXBridge.Tests.Cli;

/// <summary>`directions`, `run`, `report` and `predict` as a user meets them: child processes and what they leave on disk.</summary>
[Collection(ChildProcessCollection.Name)]
public class RunCliTests
{
    private static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-run-" + Guid.NewGuid().ToString("N"))).FullName;

    [Fact]
    public void Directions_lists_the_six_paper_directions_and_their_twins()
    {
        var (code, output, _) = CliProcess.Run("directions");
        Assert.Equal(0, code);
        foreach (var name in Experiments.DirectionConfigTests.Paper)
        {
            Assert.Contains(name[..8], output);   // the table wraps long names; their starts are on one line
            Assert.Contains("syn" + name[..5], output);
        }
    }

    [Fact]
    public void A_misspelled_override_is_one_error_naming_the_field_before_any_work()
    {
        var dir = Path.Combine(TempDir(), "out");
        var (code, _, err) = CliProcess.Run("run", "--direction", "synisruc-eeg-to-ecg", "--set", "bridge.rnak=3", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("configs/directions/synisruc-eeg-to-ecg.json", err);
        Assert.Contains("bridge.rnak", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Run_writes_seed_folders_and_an_aggregate_that_report_and_predict_read()
    {
        var root = TempDir();
        try
        {
            var runs = Path.Combine(root, "runs");
            var (code, output, err) = CliProcess.Run("run", "--direction", "synisruc-eeg-to-ecg", "--seeds", "0-1", "--set", "bridge.epochs=3",
                                                     "--no-kd", "--quiet", "--threads", "1", "--out", runs);
            Assert.True(code == 0, err);
            Assert.Contains("SYNTHETIC", output);
            foreach (var seed in new[] { 0, 1 })
                foreach (var file in new[] { "record.json", "results.csv", "report.html", "bridge.json", "bridge.safetensors" })
                    Assert.True(File.Exists(Path.Combine(runs, $"seed-{seed}", file)), $"seed-{seed}/{file}");
            var aggregate = JsonNode.Parse(File.ReadAllText(Path.Combine(runs, "aggregate.json")))!;
            var bridge = aggregate["methods"]!["bridge"]!;
            Assert.Equal(2, bridge["balanced_accuracy"]!["values"]!.AsArray().Count);
            Assert.True(bridge["trainable_parameters"]!.GetValue<long>() > 0);
            Assert.Null(aggregate["methods"]!["kd"]);

            (code, _, err) = CliProcess.Run("report", "--runs", runs, "--out", Path.Combine(root, "report"));
            Assert.True(code == 0, err);
            var md = File.ReadAllText(Path.Combine(root, "report", "report.md"));
            Assert.Contains("| synisruc-eeg-to-ecg | SYNTHETIC synisruc | 2 |", md);
            Assert.Contains("60.11", md);   // the paper's ISRUC EEG→ECG bridge, beside ours
            Assert.Contains("the release's scripts use (8, 2)", md);
            Assert.Contains("Plotly.newPlot", File.ReadAllText(Path.Combine(root, "report", "report.html")));

            var prepared = Path.Combine(root, "prepared");
            (code, _, err) = CliProcess.Run("data", "prepare", "synisruc", "--direction", "synisruc-eeg-to-ecg", "--out", prepared);
            Assert.True(code == 0, err);
            var csv = Path.Combine(root, "predicted.csv");
            (code, output, err) = CliProcess.Run("predict", "--bridge", Path.Combine(runs, "seed-1"), "--data", prepared, "--split", "test", "--out", csv);
            Assert.True(code == 0, err);
            var lines = File.ReadAllLines(csv);
            Assert.Equal("window,predicted", lines[0]);
            var record = JsonNode.Parse(File.ReadAllText(Path.Combine(runs, "seed-1", "record.json")))!;
            Assert.Equal(record["splits"]!["test"]!["windows"]!.GetValue<int>(), lines.Length - 1);
            var recorded = record["methods"]!["bridge"]!["metrics"]!["balanced_accuracy"]!.GetValue<double>();
            Assert.Contains($"balanced accuracy {recorded:F4}", output);
        }
        finally { Directory.Delete(root, true); }
    }
}
