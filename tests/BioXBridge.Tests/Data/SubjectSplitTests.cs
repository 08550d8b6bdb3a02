using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

public class SubjectSplitTests
{
    static readonly string[] Wesad15 = Enumerable.Range(0, 15).Select(SynWesad.SubjectId).ToArray();

    [Fact]
    public void Wesad_split_is_5_2_5_3_disjoint_and_complete()
    {
        var split = SubjectSplit.Assign(Wesad15, 0, SubjectSplit.Wesad);
        Assert.Equal(["train", "val", "pair", "test"], split.Keys);
        Assert.Equal([5, 2, 5, 3], split.Values.Select(v => v.Length));
        Assert.Equal(Wesad15.OrderBy(s => s, StringComparer.Ordinal), split.Values.SelectMany(v => v).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void Same_seed_gives_same_split_whatever_the_input_order()
    {
        var a = SubjectSplit.Assign(Wesad15, 42, SubjectSplit.Wesad);
        var b = SubjectSplit.Assign(Wesad15.Reverse(), 42, SubjectSplit.Wesad);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
    }

    [Fact]
    public void Different_seeds_give_different_splits()
    {
        var a = SubjectSplit.Assign(Wesad15, 1, SubjectSplit.Wesad);
        var b = SubjectSplit.Assign(Wesad15, 2, SubjectSplit.Wesad);
        Assert.Contains(a.Keys, k => !a[k].SequenceEqual(b[k]));
    }

    [Fact]
    public void Counts_that_do_not_add_up_are_rejected_naming_both_numbers()
    {
        var ex = Assert.Throws<ArgumentException>(() => SubjectSplit.Assign(Wesad15, 0, ("train", 5), ("test", 3)));
        Assert.Contains("8", ex.Message);
        Assert.Contains("15", ex.Message);
    }

    [Fact]
    public void Duplicate_subjects_and_split_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => SubjectSplit.Assign(["S2", "S2", "S3"], 0, ("a", 3)));
        Assert.Throws<ArgumentException>(() => SubjectSplit.Assign(["S2", "S3"], 0, ("a", 1), ("a", 1)));
    }
}
