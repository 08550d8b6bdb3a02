using System.Text.Json.Nodes;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Experiments;
using Xunit;

namespace BioXBridge.Tests.Experiments;

/// <summary>
/// A short real run of the default twin over two seeds with every method (few epochs), written as `run` writes it:
/// seed folders, the aggregate, the bridge artifacts.
/// </summary>
public sealed class TwoSeedRun : IDisposable
{
    public static readonly DirectionConfig Config = DirectionFiles.Load("synwesad-ppg-to-ecg",
        ["bridge.epochs=5", "kd.epochs=1", "kd_contrast.epochs=1"]);
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "bioxbridge-seeds-" + Guid.NewGuid().ToString("N"));
    public ExperimentContext Context { get; } = ExperimentContext.Load(Config);
    public AggregateRecord Aggregate { get; }
    public RunRecord[] Records { get; }

    public TwoSeedRun()
    {
        Aggregate = SeedRuns.Run(Context, [0, 1], Dir);
        Records = [RunFolder.Read(SeedRuns.SeedFolder(Dir, 0)), RunFolder.Read(SeedRuns.SeedFolder(Dir, 1))];
    }

    public void Dispose()
    {
        Context.Dispose();
        if (Directory.Exists(Dir)) Directory.Delete(Dir, true);
    }
}

public class SeedRunTests(TwoSeedRun run) : IClassFixture<TwoSeedRun>
{
    [Fact]
    public void The_aggregate_is_the_mean_and_sample_sd_of_the_seed_records()
    {
        var a = SeedRuns.Read(run.Dir);
        Assert.Equal(["oracle", "random", "bridge", "kd", "kd_contrast"], a.Methods.Keys);
        Assert.Equal([0, 1], a.Seeds);
        foreach (var (method, summary) in a.Methods)
            foreach (var metric in AggregateRecord.MetricNames)
            {
                var v = run.Records.Select(r => AggregateRecord.Metric(r.Methods[method].Metrics, metric)).ToArray();
                var s = summary.Metrics[metric];
                Assert.Equal(v, s.Values);
                Assert.Equal((v[0] + v[1]) / 2, s.Mean, 12);
                Assert.Equal(Math.Abs(v[0] - v[1]) / Math.Sqrt(2), s.Sd!.Value, 12);   // n − 1 = 1
            }
        // the frozen teacher does not depend on the seed; the bridge does
        Assert.Equal(0, a.Methods["oracle"].Metrics["balanced_accuracy"].Sd);
        Assert.Equal(run.Records[0].Methods["bridge"].TrainableParameters, a.Methods["bridge"].TrainableParameters);
        Assert.Equal(5 * 5 + 1, File.ReadAllLines(Path.Combine(run.Dir, SeedRuns.AggregateCsv)).Length);
        // the JSON a reader scripts against: methods.<method>.<metric>.{mean,sd} and trainable_parameters
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Dir, SeedRuns.AggregateFile)))!;
        Assert.Equal(a.Methods["bridge"].Metrics["balanced_accuracy"].Mean, json["methods"]!["bridge"]!["balanced_accuracy"]!["mean"]!.GetValue<double>());
        Assert.Equal(a.Methods["kd"].Metrics["f1_macro"].Sd, json["methods"]!["kd"]!["f1_macro"]!["sd"]!.GetValue<double>());
        Assert.NotNull(json["methods"]!["bridge"]!["trainable_parameters"]);
    }

    [Fact]
    public void Seeds_share_positions_and_cached_features_and_say_so()
    {
        var (first, second) = (run.Records[0], run.Records[1]);
        Assert.Equal((first.Positions.Input, first.Positions.Output), (second.Positions.Input, second.Positions.Output));
        // the first seed selected the positions and computed the features, or read them where another test kept them
        // (FrozenOutputs); the second took them from the first
        const string shared = "selected once in this process and shared by every seed";
        Assert.NotEqual(shared, first.Reused.GetValueOrDefault("positions"));
        Assert.Equal(shared, second.Reused["positions"]);
        Assert.Contains(first.Reused.Keys, k => k.StartsWith($"features_m{first.Positions.Input}_", StringComparison.Ordinal));
        Assert.Equal($"pooled new-model features at m = {second.Positions.Input}, computed once in this process", second.Reused[$"features_m{second.Positions.Input}"]);
        Assert.NotEqual(first.Methods["bridge"].Metrics.Confusion, second.Methods["bridge"].Metrics.Confusion);
        Assert.Equal("synwesad-ppg-to-ecg", second.Config.Name);
        Assert.Equal(5, second.Config.Bridge.Epochs);   // the resolved config, overrides included
    }

    [Fact]
    public void Kd_contrast_trains_the_student_and_two_projections()
    {
        var r = run.Records[0];
        int dNew = run.Context.NewEncoder.OutputDim, dOld = run.Context.Teacher.encoder.OutputDim, p = TwoSeedRun.Config.KdContrast.ProjectionDim;
        Assert.Equal(r.Methods["kd"].TrainableParameters + (dNew + 1) * p + (dOld + 1) * p, r.Methods["kd_contrast"].TrainableParameters);
        Assert.Equal(run.Context.NewEncoder.ParameterCount() + (dNew + 1) * run.Context.Classes, r.Methods["kd"].TrainableParameters);
    }

    [Fact]
    public void Training_many_bridges_on_one_context_does_not_grow_the_live_tensors()
    {
        var ctx = run.Context;
        var settings = ctx.Config.Bridge with { Epochs = 1 };
        int m = run.Records[0].Positions.Input, l = run.Records[0].Positions.Output;
        using (ctx.TrainBridge(m, l, 7, settings)) { }   // first use caches features and targets
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int seed = 8; seed < 12; seed++)
            using (ctx.TrainBridge(m, l, seed, settings)) { }
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Targets_kept_in_a_memory_mapped_file_train_the_same_bridge()
    {
        var settings = TwoSeedRun.Config.Bridge with { Epochs = 2 };
        int m = run.Records[0].Positions.Input, l = run.Records[0].Positions.Output;
        IReadOnlyList<string> files;
        using (var spilled = ExperimentContext.Load(TwoSeedRun.Config, keepFrozenOutputs: false))
        {
            spilled.TargetMemoryBudget = 0;
            using var inMemory = run.Context.TrainBridge(m, l, 3, settings);
            using var onDisk = spilled.TrainBridge(m, l, 3, settings);
            files = spilled.SpillFiles;
            Assert.Equal(2, files.Count); // the paired split's targets and the validation pairs' (checkpoint selection)
            Assert.Empty(run.Context.SpillFiles);
            var ps = inMemory.Model.Bridge.parameters().Zip(onDisk.Model.Bridge.parameters());
            Assert.All(ps, p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
            Assert.Equal(inMemory.Result.Metrics.Confusion, onDisk.Result.Metrics.Confusion);
        }
        Assert.All(files, f => Assert.False(File.Exists(f)));
    }

    [Fact]
    public void A_finished_run_folder_is_never_overwritten()
    {
        var e = Assert.Throws<IOException>(() => SeedRuns.Run(run.Context, [2], run.Dir));
        Assert.Contains("finished run", e.Message);
        Assert.False(Directory.Exists(SeedRuns.SeedFolder(run.Dir, 2)));
    }

    [Fact]
    public void The_saved_bridge_alone_reproduces_the_test_metrics_on_a_prepared_copy_of_the_data()
    {
        var prepared = Path.Combine(Path.GetTempPath(), "bioxbridge-predict-" + Guid.NewGuid().ToString("N"));
        try
        {
            // the twin's windows, written as `data prepare synwesad --direction synwesad-ppg-to-ecg` writes them
            var (data, preprocessing) = DatasetPreparation.Prepare("synwesad", null, DirectionData.Options(TwoSeedRun.Config.Dataset, "ppg"));
            PreparedData.Write(data, prepared, preprocessing);
            var test = PreparedData.Read(prepared).Test;
            Assert.Equal(run.Records[0].Splits["test"].Sha256, SplitData.Hash(test));

            var seed0 = SeedRuns.SeedFolder(run.Dir, 0);
            var predicted = BridgeArtifact.Predict(seed0, test);
            var metrics = ClassificationMetrics.Compute(test.Labels, predicted, 3);
            var recorded = run.Records[0].Methods["bridge"].Metrics;
            Assert.Equal(recorded.Confusion, metrics.Confusion);
            Assert.Equal(recorded.BalancedAccuracy, metrics.BalancedAccuracy);
        }
        finally { if (Directory.Exists(prepared)) Directory.Delete(prepared, true); }
    }

    [Fact]
    public void A_bridge_is_not_applied_between_other_models()
    {
        var copy = Path.Combine(Path.GetTempPath(), "bioxbridge-artifact-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(copy);
            foreach (var f in new[] { BridgeArtifact.ConfigFile, BridgeArtifact.WeightsFile })
                File.Copy(Path.Combine(SeedRuns.SeedFolder(run.Dir, 0), f), Path.Combine(copy, f));
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(copy, BridgeArtifact.ConfigFile)))!;
            json["teacher_sha256"] = "sha256:" + new string('0', 64);
            File.WriteAllText(Path.Combine(copy, BridgeArtifact.ConfigFile), json.ToJsonString());
            var e = Assert.Throws<InvalidDataException>(() => BridgeArtifact.Predict(copy, run.Context.Data.Test));
            Assert.Contains(BridgeArtifact.ConfigFile, e.Message);
            Assert.Contains("refusing", e.Message);
        }
        finally { Directory.Delete(copy, true); }
    }
}
