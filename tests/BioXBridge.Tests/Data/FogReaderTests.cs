using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// FogReader on files written by tools/golden/wesad_fog_fixtures.py (Fixtures/datasets/fog*): 61-column headerless CSV
/// rows whose data cell in row r (0-based), column c holds sign·(100·r + c)/4, so each value names its own column.
/// </summary>
public class FogReaderTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "datasets");
    private static readonly string FogRoot = Path.Combine(Root, "fog");
    private static string Damaged(string rel) => Path.Combine(Root, "fog-damaged", rel);

    private static double Cell(int row, int col, int sign) => sign * (100.0 * row + col) / 4.0;

    private static void AssertColumns(double[][] channels, int[] cols, int sign)
    {
        Assert.Equal(cols.Length, channels.Length);
        for (int k = 0; k < cols.Length; k++)
        {
            Assert.Equal(20, channels[k].Length);
            for (int r = 0; r < 20; r++) Assert.Equal(Cell(r, cols[k], sign), channels[k][r]);
        }
    }

    private static readonly int[] Lab = [.. Enumerable.Repeat(0, 8), .. Enumerable.Repeat(1, 12)];

    [Fact]
    public void Discovers_patients_sessions_and_tasks()
    {
        var files = FogReader.Discover(FogRoot);
        Assert.Equal(
            [("003", "", "task_1"), ("003", "", "task_2"), ("008", "OFF_1", "task_1"), ("008", "OFF_2", "task_3")],
            files.Select(f => (f.Patient, f.Session, f.Task)).ToArray());
        // the 'Filtered Data' folder itself works as a root too
        Assert.Equal(files.Select(f => f.Path), FogReader.Discover(Path.Combine(FogRoot, "Filtered Data")).Select(f => f.Path));
        Assert.Throws<DirectoryNotFoundException>(() => FogReader.Discover(Path.Combine(Root, "no-such-folder")));
        var e = Assert.Throws<InvalidDataException>(() => FogReader.Discover(Path.Combine(Root, "wesad")));
        Assert.Contains("no 'Filtered Data'", e.Message);
    }

    [Fact]
    public void Reads_eeg_emg_and_labels_with_each_patients_column_map()
    {
        var byKey = FogReader.Discover(FogRoot).ToDictionary(f => $"{f.Patient}/{f.Session}/{f.Task}", FogReader.Read);
        int[] eeg = [4, 5, 6, 7, 10, 11];   // df.iloc[:, 2:27] rows [2, 3, 4, 5, 8, 9]

        var r = byKey["003//task_1"];
        Assert.Equal(("003", "", "task_1"), (r.Patient, r.Session, r.Task));
        AssertColumns(r.Eeg, eeg, 1);
        AssertColumns(r.Emg, [28, 27, 31], 1);
        Assert.Equal(Lab, r.Label);

        r = byKey["003//task_2"];                                  // written in %.6e, negative values
        AssertColumns(r.Eeg, eeg, -1);
        AssertColumns(r.Emg, [28, 27, 31], -1);
        Assert.Equal(Lab.Reverse().ToArray(), r.Label);

        r = byKey["008/OFF_1/task_1"];
        AssertColumns(r.Emg, [27, 28, 31], 1);
        Assert.Equal(Lab, r.Label);

        r = byKey["008/OFF_2/task_3"];
        Assert.Equal(("008", "OFF_2", "task_3"), (r.Patient, r.Session, r.Task));
        AssertColumns(r.Eeg, eeg, -1);
        AssertColumns(r.Emg, [27, 31, 28], -1);
        Assert.Equal(20 / FogRecording.Hz, r.DurationSeconds);
    }

    [Fact]
    public void Column_map_matches_the_release()
    {
        foreach (var p in new[] { "001", "002", "006", "007" }) Assert.Equal([27, 28, 31], FogReader.EmgColumns(p));
        foreach (var p in new[] { "003", "004", "005", "010", "011", "012" }) Assert.Equal([28, 27, 31], FogReader.EmgColumns(p));
        Assert.Equal([27, 28, 31], FogReader.EmgColumns("008", "OFF_1"));
        Assert.Equal([27, 31, 28], FogReader.EmgColumns("008", "OFF_2"));
        Assert.Equal([28, 27, 30], FogReader.EmgColumns("009"));
        Assert.Equal([4, 5, 6, 7, 10, 11], FogReader.EegColumns);
        var e = Assert.Throws<InvalidDataException>(() => FogReader.EmgColumns("008"));
        Assert.Contains("008/OFF_1, 008/OFF_2", e.Message);
        Assert.Throws<InvalidDataException>(() => FogReader.EmgColumns("013"));
    }

    [Fact]
    public void FilteredData_spelling_and_patient_009()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fogreader-" + Guid.NewGuid().ToString("N"));
        try
        {
            var target = Path.Combine(dir, "FilteredData", "009", "task_12.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(FogRoot, "Filtered Data", "003", "task_1.txt"), target);
            var f = Assert.Single(FogReader.Discover(dir));
            Assert.Equal(("009", "", "task_12"), (f.Patient, f.Session, f.Task));
            AssertColumns(FogReader.Read(f).Emg, [28, 27, 30], 1);
            // explicit column override
            AssertColumns(FogReader.Read(target, "009", emgColumns: [40, 41, 42]).Emg, [40, 41, 42], 1);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("bad_label/task_3.txt", "task_3.txt: line 7: column 60: expected 0 or 1, found 'x'")]
    [InlineData("short_row/task_4.txt", "task_4.txt: line 5: expected at least 61 comma-separated columns (label in column 60), found 40")]
    [InlineData("non_numeric/task_5.txt", "task_5.txt: line 10: column 5: expected a finite number, found 'abc'")]
    [InlineData("empty/task_6.txt", "task_6.txt: no data rows")]
    public void Damaged_files_name_file_line_and_column(string rel, string message)
    {
        var path = Damaged(rel);
        var e = Assert.Throws<InvalidDataException>(() => FogReader.Read(path, "001"));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Missing_file_is_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => FogReader.Read(Path.Combine(FogRoot, "nope.txt"), "001"));
    }
}
