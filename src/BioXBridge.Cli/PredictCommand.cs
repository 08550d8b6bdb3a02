using System.Globalization;
using System.Text;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge predict</c>: applies a saved bridge to new-modality windows with its two frozen models.</summary>
public static class PredictCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("bridge", "DIR", "a seed's run folder holding bridge.json and bridge.safetensors"),
        new("data", "DIR", "prepared data ('data prepare') holding the new modality"),
        new("split", "NAME", "which split to predict: train, val, pair or test (default test)"),
        new("out", "FILE", "CSV to write: one row per window, columns window,predicted"),
        new("device", "cpu|cuda", "torch device (default cpu)"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Rebuilds the bridge's frozen new encoder and teacher from the weights its run recorded, refuses them if their\n" +
        "hashes differ from the ones the bridge was trained between, and predicts the class of every new-modality window\n" +
        "of one split. Prints the metrics when the split has labels.";

    public static int Run(CliArgs a)
    {
        string Need(string o) => a.String(o) ?? throw new UsageException($"predict: option '--{o}' is required. See 'bioxbridge predict --help'.");
        var (bridge, dataDir, outFile) = (Need("bridge"), Need("data"), Need("out"));
        var split = a.String("split") ?? "test";
        var data = PreparedData.Read(dataDir);
        var part = data.Named().FirstOrDefault(s => s.Name == split).Data
                   ?? throw new UsageException($"predict: option '--split' expects train, val, pair or test, got '{split}'");
        if (File.Exists(outFile)) throw new IOException($"{outFile}: exists; predictions are never written over a file");
        var predicted = BridgeArtifact.Predict(bridge, part, device: ExperimentOptions.Device(a));
        var csv = new StringBuilder("window,predicted\n");
        for (int i = 0; i < predicted.Length; i++) csv.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(predicted[i]).Append('\n');
        var tmp = outFile + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(tmp, csv.ToString());
        File.Move(tmp, outFile);
        var names = BridgeArtifact.Read(bridge).ClassNames;
        var m = ClassificationMetrics.Compute(part.Labels, predicted, names.Length);
        AnsiConsole.MarkupLineInterpolated($"{predicted.Length} windows of {split} → {outFile}");
        AnsiConsole.MarkupLineInterpolated($"balanced accuracy {m.BalancedAccuracy:F4}, F1-macro {m.F1Macro:F4}, F1-weighted {m.F1Weighted:F4}{(part.Synthetic ? " (SYNTHETIC data)" : "")}");
        return 0;
    }
}
