using System.Text.Json.Nodes;
using BioXBridge.Experiments;
using Xunit;

namespace BioXBridge.Tests.Experiments;

/// <summary>Sweep files, plans and folders without training anything (the CLI tests run them).</summary>
public class SweepTests
{
    private static SweepFile Parse(string json) => SweepFile.Parse(json, "test.json");

    private const string Smoke = """
        { "name": "t", "direction": "synwesad-ppg-to-ecg", "set": { "kd.enabled": false },
          "seeds": [0, 1], "groups": [ { "name": "rank", "axes": { "bridge.rank": [2, 4] } } ] }
        """;

    [Fact]
    public void The_shipped_ablation_sweep_is_the_ablations_command_default()
    {
        var shipped = SweepPlan.Of(SweepFile.Load("ablations"));
        var fromCode = SweepPlan.Of(Ablations.Sweep(new AblationConfig(), "synwesad-ppg-to-ecg"));
        Assert.Equal(fromCode.Hash, shipped.Hash);
        // 5 ranks + 5 prototype counts + 5 fractions + 9 positions; the configured prototypes (16) and the full pair set
        // are each one of the rank points already, so 24 planned trainings are 22 points
        Assert.Equal(22, shipped.Points.Count);
        Assert.Equal([5, 5, 5, 9], shipped.Members.Values.Select(m => m.Length));
        var shared = Assert.Single(shipped.Points, p => p.Groups.Length == 3);
        Assert.Equal(["rank", "prototypes", "pair_fraction"], shared.Groups);
        Assert.Equal(shipped.Base.Bridge.Rank, shared.Config.Bridge.Rank);
        Assert.All(shipped.Points, p => Assert.False(p.Config.Kd.Enabled));
        Assert.Single(shipped.Points.Select(p => p.SharedKey).Distinct()); // one set of frozen models for all 22
    }

    [Fact]
    public void Points_are_grids_crossed_with_seeds_and_hash_their_config()
    {
        var plan = SweepPlan.Of(Parse(Smoke));
        Assert.Equal([(2, 0), (2, 1), (4, 0), (4, 1)], plan.Points.Select(p => (p.Config.Bridge.Rank, p.Seed)));
        Assert.Equal(4, plan.Points.Select(p => p.Id).Distinct().Count());
        Assert.Equal(plan.Hash, SweepPlan.Of(Parse(Smoke)).Hash);                      // deterministic
        var other = SweepPlan.Of(Parse(Smoke.Replace("[2, 4]", "[2, 8]")));
        Assert.Equal(plan.Points[0].Id, other.Points[0].Id);                           // the same training keeps its id
        Assert.NotEqual(plan.Points[2].Id, other.Points[2].Id);
        Assert.NotEqual(plan.Hash, other.Hash);
        var back = SweepPlan.FromJson(plan.ToJson(), "plan.json");
        Assert.Equal(plan.Points.Select(p => (p.Id, p.Config)), back.Points.Select(p => (p.Id, p.Config)));
    }

    [Fact]
    public void Symbolic_positions_resolve_against_the_block_counts()
    {
        var plan = SweepPlan.Of(Parse("""
            { "name": "g", "direction": "synwesad-ppg-to-ecg",
              "groups": [ { "name": "positions", "axes": { "positions.input": ["first", "last"], "positions.output": ["middle", 3] } } ] }
            """));
        var resolved = plan.Points.Select(p => p.Resolve(newBlocks: 4, oldBlocks: 18).Positions).Select(p => (p.Input, p.Output));
        Assert.Equal([(1, 9), (1, 3), (4, 9), (4, 3)], resolved);
    }

    [Theory]
    [InlineData("""{ "name": "b", "direction": "synwesad-ppg-to-ecg", "groups": [ { "name": "x", "axes": { "bridge.rnak": [2] } } ] }""",
                "group 'x'", "bridge.rnak")]
    [InlineData("""{ "name": "b", "direction": "synwesad-ppg-to-ecg", "groups": [ { "name": "x", "axes": { "bridge.rank": [0] } } ] }""",
                "group 'x'", "bridge.rank")]
    [InlineData("""{ "name": "b", "direction": "synwesad-ppg-to-ecg", "groups": [ { "name": "x", "axes": { "positions.input": ["top"] } } ] }""",
                "'top' is not a block", "positions.input")]
    [InlineData("""{ "name": "b", "direction": "synwesad-ppg-to-ecg", "groups": [ { "name": "x", "axes": { "bridge.rank": [] } } ] }""",
                "sweep.schema.json", "groups.0.axes.bridge.rank")]
    [InlineData("""{ "name": "b", "direction": "synwesad-ppg-to-ecg", "groups": [ { "name": "x", "axes": {} }, { "name": "x", "axes": {} } ] }""",
                "appears twice", "groups")]
    [InlineData("""{ "name": "b", "direction": "no-such-direction", "groups": [ { "name": "x", "axes": { "bridge.rank": [1] } } ] }""",
                "unknown direction", "direction")]
    public void A_bad_sweep_is_one_error_naming_the_file_and_the_field(string json, string what, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => SweepPlan.Of(Parse(json)));
        Assert.StartsWith("test.json", e.Message);
        Assert.Contains(what, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void A_folder_holds_one_plan_claims_are_exclusive_and_status_follows_the_files()
    {
        var dir = Path.Combine(Path.GetTempPath(), "bioxbridge-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            var plan = SweepPlan.Of(Parse(Smoke));
            var folder = SweepFolder.Create(plan, dir);
            Assert.Equal(plan.Hash, SweepFolder.Create(plan, dir).Plan.Hash); // reopened to finish it
            var e = Assert.Throws<IOException>(() => SweepFolder.Create(SweepPlan.Of(Parse(Smoke.Replace("[0, 1]", "[0]"))), dir));
            Assert.Contains("never reused for another plan", e.Message);

            var p = plan.Points[0];
            using (var claim = folder.TryClaim(p, "log-a", null))
            {
                Assert.NotNull(claim);
                Assert.Null(folder.TryClaim(p, "log-b", null));               // a second worker does not get it
                Assert.Equal(PointState.Running, folder.Status()[0].State);
            }
            var failed = folder.Status()[0];                                   // released without a result: a killed worker
            Assert.Equal(PointState.Failed, failed.State);
            Assert.Equal("log-a", failed.Log);
            Assert.Contains("ended without a result", failed.Detail);
            using (var again = folder.TryClaim(p, "log-c", null))
            {
                Assert.Equal(2, again!.Attempt);
                folder.WriteFailure(p, new InvalidOperationException("diverged"), "log-c");
            }
            Assert.Contains("attempt 2: diverged", folder.Status()[0].Detail);
            Assert.Equal([PointState.Failed, PointState.Pending, PointState.Pending, PointState.Pending], folder.Status().Select(s => s.State));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_group_grid_is_the_cartesian_product_first_axis_slowest()
    {
        var g = new SweepGroup { Name = "g", Axes = new() { ["a.x"] = [JsonValue.Create(1), JsonValue.Create(2)], ["a.y"] = [JsonValue.Create("p"), JsonValue.Create("q"), JsonValue.Create("r")] } };
        Assert.Equal(["1p", "1q", "1r", "2p", "2q", "2r"], g.Grid().Select(c => c[0].Value!.ToString() + c[1].Value!.ToString()));
    }
}
