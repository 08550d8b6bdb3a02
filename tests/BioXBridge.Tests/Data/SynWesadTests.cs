using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

public class SynWesadTests
{
    static readonly SynWesadConfig Tiny = new(Subjects: 2, MinutesPerClass: 1, Seed: 3);

    [Fact]
    public void Same_seed_gives_identical_sessions()
    {
        var a = SynWesad.Generate(Tiny);
        var b = SynWesad.Generate(Tiny);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Subject, b[i].Subject);
            Assert.Equal(a[i].ChestEcg, b[i].ChestEcg);
            Assert.Equal(a[i].WristBvp, b[i].WristBvp);
            Assert.Equal(a[i].Label, b[i].Label);
        }
    }

    [Fact]
    public void Different_seed_gives_different_sessions()
    {
        var a = SynWesad.Generate(Tiny);
        var b = SynWesad.Generate(Tiny with { Seed = 4 });
        Assert.NotEqual(a[0].ChestEcg.Take(5000), b[0].ChestEcg.Take(5000));
        Assert.NotEqual(a[0].WristBvp.Take(500), b[0].WristBvp.Take(500));
    }

    [Fact]
    public void A_subject_does_not_depend_on_how_many_others_are_generated()
    {
        var one = SynWesad.GenerateSubject(Tiny, 1);
        var all = SynWesad.Generate(Tiny with { Subjects = 3 });
        Assert.Equal(one.ChestEcg, all[1].ChestEcg);
        Assert.Equal(one.WristBvp, all[1].WristBvp);
    }

    [Fact]
    public void Subject_ids_follow_wesad_and_skip_S12()
    {
        Assert.Equal("S2", SynWesad.SubjectId(0));
        Assert.Equal("S11", SynWesad.SubjectId(9));
        Assert.Equal("S13", SynWesad.SubjectId(10));
        Assert.Equal("S17", SynWesad.SubjectId(14));
        Assert.Equal("S18", SynWesad.SubjectId(15));
        Assert.Equal(["S2", "S3"], SynWesad.Generate(Tiny).Select(s => s.Subject));
    }

    [Fact]
    public void Session_has_wesad_rates_and_protocol_structure()
    {
        var c = SynWesadFixtures.SmallConfig;
        foreach (var s in SynWesadFixtures.Small)
        {
            Assert.Equal(0, s.ChestEcg.Length % 700);
            int seconds = s.ChestEcg.Length / 700;
            Assert.Equal(seconds * 64, s.WristBvp.Length);
            Assert.Equal(s.ChestEcg.Length, s.Label.Length);
            var runs = SynWesadFixtures.Runs(s.Label);
            // transient, class, transient, class, transient, class, transient
            Assert.Equal([0, -1, 0, -1, 0, -1, 0], runs.Select(r => r.Label == 0 ? 0 : -1));
            Assert.Equal([1, 2, 3], runs.Where(r => r.Label != 0).Select(r => r.Label).Order());
            Assert.All(runs.Where(r => r.Label != 0), r => Assert.Equal(c.MinutesPerClass * 60 * 700, r.Length));
            Assert.All(runs.Where(r => r.Label == 0), r => Assert.InRange(r.Length / 700.0, 25, 35));
            Assert.All(runs, r => Assert.Equal(0, r.Start % (5 * 700)));
            Assert.All(s.ChestEcg, v => Assert.True(double.IsFinite(v)));
            Assert.All(s.WristBvp, v => Assert.True(double.IsFinite(v)));
        }
    }

    [Fact]
    public void Class_order_varies_between_subjects()
    {
        var orders = SynWesad.Generate(new SynWesadConfig(Subjects: 8, MinutesPerClass: 1)).Select(s =>
            string.Join("", SynWesadFixtures.Runs(s.Label).Where(r => r.Label != 0).Select(r => r.Label))).Distinct();
        Assert.True(orders.Count() > 1);
    }

    [Fact]
    public void Invalid_configs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => SynWesad.Generate(new SynWesadConfig(Subjects: 0)));
        Assert.Throws<ArgumentException>(() => SynWesad.Generate(new SynWesadConfig(MinutesPerClass: 0.5)));
    }
}
