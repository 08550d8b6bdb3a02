using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

public class IsrucLabelsTests
{
    [Fact]
    public void The_last_30_labels_are_dropped()
    {
        var s = IsrucLabels.Read(IsrucFixtures.Path("subject1_1.txt"));
        Assert.Equal([SleepStage.W, SleepStage.REM], s);
        Assert.Equal([0, 1], IsrucLabels.Binary(s));
        Assert.Equal([0, 4], IsrucLabels.FiveClass(s));
    }

    [Fact]
    public void Crlf_and_trailing_blank_lines_are_tolerated()
    {
        Assert.Equal([SleepStage.N2, SleepStage.N3], IsrucLabels.Read(IsrucFixtures.Path("subject1_2.txt")));
    }

    [Fact]
    public void Labels_align_with_the_mat_epochs()
    {
        var m = MatFile.Read(IsrucFixtures.Path("subject1_compressed.mat"), ["C3_A2"]);
        Assert.Equal(2, IsrucLabels.Read(IsrucFixtures.Path("subject1_1.txt"), m["C3_A2"].Rows).Length);
        var path = IsrucFixtures.Path("subject1_1.txt");
        var e = Assert.Throws<InvalidDataException>(() => IsrucLabels.Read(path, expectedEpochs: 3));
        Assert.Contains($"{path}: holds 32 labels, 2 after dropping the last 30, but the recording has 3 epochs", e.Message);
    }

    [Fact]
    public void Binary_and_five_class_maps()
    {
        SleepStage[] all = [SleepStage.W, SleepStage.N1, SleepStage.N2, SleepStage.N3, SleepStage.REM];
        Assert.Equal([0, 1, 1, 1, 1], IsrucLabels.Binary(all));
        Assert.Equal([0, 1, 2, 3, 4], IsrucLabels.FiveClass(all));
    }

    [Theory]
    [InlineData("bad_labels_code.txt", "line 7: expected a sleep stage 0 (W), 1 (N1), 2 (N2), 3 (N3) or 5 (REM), found '4'")]
    [InlineData("bad_labels_text.txt", "line 3: expected a sleep stage 0 (W), 1 (N1), 2 (N2), 3 (N3) or 5 (REM), found 'N2'")]
    public void Bad_lines_are_named(string file, string message)
    {
        var path = IsrucFixtures.Path(file);
        var e = Assert.Throws<InvalidDataException>(() => IsrucLabels.Read(path));
        Assert.Equal($"{path}: {message}", e.Message);
    }

    [Fact]
    public void Too_short_a_file_is_an_error()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Guid.NewGuid():N}_1.txt");
        File.WriteAllText(path, string.Join("\n", Enumerable.Repeat("0", 30)));
        try { Assert.Contains($"{path}: holds 30 labels; the last 30 are dropped", Assert.Throws<InvalidDataException>(() => IsrucLabels.Read(path)).Message); }
        finally { File.Delete(path); }
    }
}
