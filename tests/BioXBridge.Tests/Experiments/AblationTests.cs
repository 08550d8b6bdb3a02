using BioXBridge.Experiments;
using Xunit;

namespace BioXBridge.Tests.Experiments;

/// <summary>A short real sweep on the embedded default: two ranks, two pair fractions, two seeds, two epochs.</summary>
public sealed class AblationRuns
{
    public static readonly DirectionConfig Config = DirectionFiles.Load("synwesad-ppg-to-ecg", [.. DemoRuns.NoKd, "bridge.epochs=2"]);
    public static readonly AblationConfig Sweeps = new()
    {
        Ranks = [1, 4], Prototypes = [], PairFractions = [0.5, 1.0], PositionGrid = false, Seeds = [0, 1],
    };
    public ExperimentContext Context { get; } = ExperimentContext.Load(Config);
    public AblationRecord Record { get; }
    /// <summary>How many bridges the sweep trained: the total of its own "ablations" progress steps.</summary>
    public int Trained { get; }

    public AblationRuns()
    {
        var steps = new StepRecorder();
        Record = Ablations.Run(Context, Sweeps, steps);
        Trained = steps.Reports.Where(r => r.Step == "ablations").Select(r => r.Total).Distinct().Single();
    }

    // IProgress<T> of the framework posts reports to the thread pool; this one keeps them in order, synchronously
    sealed class StepRecorder : IProgress<BioXBridge.ProgressReport>
    {
        public List<BioXBridge.ProgressReport> Reports { get; } = [];
        public void Report(BioXBridge.ProgressReport value) => Reports.Add(value);
    }
}

public class AblationTests(AblationRuns runs) : IClassFixture<AblationRuns>
{
    [Fact]
    public void Every_value_and_seed_is_a_point_and_a_point_shared_by_two_sweeps_is_trained_once()
    {
        var r = runs.Record;
        Assert.Equal(["rank", "rank", "rank", "rank", "pair_fraction", "pair_fraction", "pair_fraction", "pair_fraction"], r.Points.Select(p => p.Sweep));
        Assert.All(r.Points, p => Assert.Equal((r.Positions.Input, r.Positions.Output), (p.InputPosition, p.OutputPosition)));
        // 8 points, 6 bridges: r = 4 (the configured rank) with every pair is in both sweeps, once per seed
        Assert.Equal(4, runs.Context.Config.Bridge.Rank);
        Assert.Equal(6, runs.Trained);
        // and that one training is the right bridge in both: the same as training (r = 4, all pairs, seed) again here
        var seed = 1;
        using var again = runs.Context.TrainBridge(r.Positions.Input, r.Positions.Output, seed, runs.Context.Config.Bridge with { PairFraction = 1.0 });
        var inRank = Assert.Single(r.Points, p => p.Sweep == "rank" && p.Rank == 4 && p.Seed == seed);
        var inPairs = Assert.Single(r.Points, p => p.Sweep == "pair_fraction" && p.PairFraction == 1.0 && p.Seed == seed);
        foreach (var shared in new[] { inRank, inPairs })
        {
            Assert.Equal(again.Result.Metrics.Confusion, shared.Metrics.Confusion);
            Assert.Equal(again.Result.Metrics.BalancedAccuracy, shared.Metrics.BalancedAccuracy);
        }
    }

    [Fact]
    public void Parameters_follow_the_formula_and_pair_fractions_use_that_share_of_windows()
    {
        var (r, ctx) = (runs.Record, runs.Context);
        var pairs = ctx.Data.Pair.Count;
        int dIn = ctx.NewEncoder.OutputWidth(r.Positions.Input, ctx.X["pair"].New.shape[1..]);
        var shape = ctx.Teacher.encoder.BlockInputShape(r.Positions.Output, ctx.X["pair"].Old.shape[1..]);
        var (nL, dL, nP) = (shape[^1], shape[^2], r.Config.Bridge.Prototypes); // PaPaGei: (channels d_l, length N_l)
        foreach (var rank in new[] { 1, 4 })
            Assert.Equal(rank * dIn + rank * nP * nL + nP * dL, r.Points.First(p => p.Sweep == "rank" && p.Rank == rank).TrainableParameters);
        Assert.All(r.Points.Where(p => p.Sweep == "pair_fraction"),
                   p => Assert.Equal((int)Math.Round(p.PairFraction * pairs, MidpointRounding.AwayFromZero), p.PairWindows));
        // every point is scored on the whole test split, and its balanced accuracy is the mean recall of its confusion rows
        int test = ctx.Data.Test.Count;
        Assert.All(r.Points, p =>
        {
            Assert.Equal(test, p.Metrics.Confusion.Sum(row => row.Sum()));
            Assert.Equal(p.Metrics.Confusion.Where(row => row.Sum() > 0).Average(row => (double)row[Array.IndexOf(p.Metrics.Confusion, row)] / row.Sum()),
                         p.Metrics.BalancedAccuracy, 12);
        });
    }

    [Fact]
    public void Same_seed_gives_the_same_bridge_and_another_seed_another()
    {
        var rank1 = runs.Context.Config.Bridge with { Rank = 1 };
        using var again = runs.Context.TrainBridge(runs.Record.Positions.Input, runs.Record.Positions.Output, 1, rank1);
        var recorded = Assert.Single(runs.Record.Points, p => p.Sweep == "rank" && p.Rank == 1 && p.Seed == 1);
        Assert.Equal(recorded.Metrics.Confusion, again.Result.Metrics.Confusion);
        Assert.Equal(recorded.Metrics.BalancedAccuracy, again.Result.Metrics.BalancedAccuracy);
        using var seed0 = runs.Context.TrainBridge(recorded.InputPosition, recorded.OutputPosition, 0, rank1);
        var losses = (Seed0: seed0.Fit.History[0].Loss, Seed1: again.Fit.History[0].Loss);
        Assert.NotEqual(losses.Seed0, losses.Seed1);
    }

    [Fact]
    public void Folder_round_trips_never_overwrites_and_labels_synthetic_data()
    {
        var dir = Path.Combine(Path.GetTempPath(), "bioxbridge-abl-" + Guid.NewGuid().ToString("N"));
        try
        {
            Ablations.Write(runs.Record, dir);
            var back = Ablations.Read(dir);
            Assert.Equal(runs.Record.Points.Select(p => p.Metrics.BalancedAccuracy), back.Points.Select(p => p.Metrics.BalancedAccuracy));
            Assert.Equal(runs.Record.Ablation.Ranks, back.Ablation.Ranks);
            Assert.True(back.Synthetic);
            Assert.Contains("SYNTHETIC", back.DataNote);
            var csv = File.ReadAllLines(Path.Combine(dir, Ablations.ResultsFile));
            Assert.Equal(1 + runs.Record.Points.Count, csv.Length);
            Assert.All(csv.Skip(1), line => Assert.StartsWith("synwesad,synthetic,", line));
            var ex = Assert.Throws<IOException>(() => Ablations.Write(runs.Record, dir));
            Assert.Contains("ablations.json exists", ex.Message);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Pair_subsets_are_seeded_sorted_and_nested()
    {
        var small = ExperimentContext.PairSubset(100, 0.2, 7);
        var large = ExperimentContext.PairSubset(100, 0.6, 7);
        Assert.Equal(20, small.Length);
        Assert.Equal(60, large.Length);
        Assert.Equal(small.Order(), small);
        Assert.Subset(large.ToHashSet(), small.ToHashSet());
        Assert.Equal(small, ExperimentContext.PairSubset(100, 0.2, 7));
        Assert.NotEqual(small, ExperimentContext.PairSubset(100, 0.2, 8));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), ExperimentContext.PairSubset(100, 1.0, 7));
        Assert.Single(ExperimentContext.PairSubset(3, 0.01, 0)); // never empty
    }

    [Fact]
    public void Thirds_are_first_middle_last()
    {
        Assert.Equal([1, 3, 4], Ablations.Thirds(1, 4));
        Assert.Equal([0, 9, 17], Ablations.Thirds(0, 17));
        Assert.Equal([1, 5, 8], Ablations.Thirds(1, 8));
    }
}
