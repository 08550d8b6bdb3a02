using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>The ISRUC .rec (EDF) route's rules: label matching, 200 Hz only, epochs from the start, and one clear error
/// naming the file and what was found for every way a recording can fail them.</summary>
public class IsrucRecRouteTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("bioxbridge-isrucrec-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static readonly string[] Labels = ["F3-M2", "C3-M2", "O1-M2", "F4-M1", "C4-M1", "O2-M1", "X2"];

    /// <summary>A .rec of <paramref name="seconds"/> s (1-s records) whose channel c holds value c + t/1000 at sample t,
    /// and a scorer file of <paramref name="epochs"/> + 30 lines.</summary>
    (string Rec, string Txt) Write(string[] labels, double seconds, int epochs, int hzOfLast = 200)
    {
        var rec = Path.Combine(dir, "7.rec");
        var specs = labels.Select((l, c) =>
        {
            int hz = c == labels.Length - 1 ? hzOfLast : 200;
            var x = Enumerable.Range(0, (int)(seconds * hz)).Select(t => c + t / 1000.0).ToArray();
            return new EdfSignalSpec(l, x, hz, -100, 100);
        }).ToList();
        EdfFile.Write(rec, new EdfWriteOptions(new DateTime(2020, 1, 1)), specs);
        var txt = Path.Combine(dir, "7_1.txt");
        File.WriteAllLines(txt, Enumerable.Range(0, epochs + 30).Select(i => (i % 2 == 0 ? 0 : 2).ToString()));
        return (rec, txt);
    }

    [Theory]
    [InlineData("F3-M2", "F3_A2")]
    [InlineData(" f3_a2 ", "F3_A2")]
    [InlineData("O2-M1", "O2_A1")]
    [InlineData("x2", "X2")]
    [InlineData("ROC-A1", "ROC_A1")]
    public void Labels_normalise_to_derivation_names(string label, string name) => Assert.Equal(name, IsrucRecRoute.NormaliseLabel(label));

    [Fact]
    public void Epochs_are_consecutive_30_s_blocks_from_the_start_and_only_the_labelled_ones_are_used()
    {
        var (rec, txt) = Write(Labels, seconds: 75, epochs: 2);   // 2.5 epochs recorded, 2 labelled
        var s = IsrucRecRoute.Read(rec, "7", txt);
        Assert.Equal(2, s.Epochs);
        Assert.Equal([SleepStage.W, SleepStage.N2], s.Stages);
        var c3 = s.Channels["C3_A2"];
        // written value 1 + t/1000 comes back within half a digital step (200 µV / 65535)
        Assert.Equal(1 + 6000 / 1000.0, c3[1][0], 0.002);
        Assert.Equal(1 + 11999 / 1000.0, c3[1][5999], 0.002);
        Assert.Equal(6 + 42 / 1000.0, s.Channels["X2"][0][42], 0.002);
    }

    [Fact]
    public void A_missing_channel_names_the_file_the_channel_and_what_the_file_holds()
    {
        var (rec, txt) = Write(["F3-M2", "C3-M2", "O1-M2", "F4-M1", "LOC-A2", "O2-M1", "X2"], 30, 1);
        var e = Assert.Throws<InvalidDataException>(() => IsrucRecRoute.Read(rec, "7", txt));
        Assert.Contains(rec, e.Message);
        Assert.Contains("no signal for channel 'C4_A1'", e.Message);
        Assert.Contains("'LOC-A2'", e.Message);
    }

    [Fact]
    public void Two_signals_for_one_channel_are_an_error_not_a_guess()
    {
        var (rec, txt) = Write([.. Labels, "F3-A2"], 30, 1);
        var e = Assert.Throws<InvalidDataException>(() => IsrucRecRoute.Read(rec, "7", txt));
        Assert.Contains("channel 'F3_A2' is matched by 2 signals ('F3-M2', 'F3-A2')", e.Message);
    }

    [Fact]
    public void A_wrong_rate_names_the_signal_the_rate_found_and_200_Hz()
    {
        var (rec, txt) = Write(Labels, 30, 1, hzOfLast: 256);
        var e = Assert.Throws<InvalidDataException>(() => IsrucRecRoute.Read(rec, "7", txt));
        Assert.Contains(rec, e.Message);
        Assert.Contains("signal 'X2' (X2) is sampled at 256 Hz (256 samples per 1-s record); expected 200 Hz", e.Message);
    }

    [Fact]
    public void Fewer_complete_epochs_than_labels_names_both_counts()
    {
        var (rec, txt) = Write(Labels, seconds: 59, epochs: 2);
        var e = Assert.Throws<InvalidDataException>(() => IsrucRecRoute.Read(rec, "7", txt));
        Assert.Contains($"{rec}: signal 'F3-M2' holds 1 complete 30-s epochs (59 s); {txt} labels 2 after dropping the last 30", e.Message);
    }

    [Fact]
    public void Reader_finds_rec_files_only_with_the_rec_source_and_says_which_route_found_nothing()
    {
        var sub = Directory.CreateDirectory(Path.Combine(dir, "RawData", "7")).FullName;
        var (rec, txt) = Write(Labels, 30, 1);
        File.Move(rec, Path.Combine(sub, "7.rec"));
        File.Move(txt, Path.Combine(sub, "7_1.txt"));
        Assert.Equal("7", Assert.Single(IsrucReader.ReadAll(dir, IsrucSource.Rec)).Subject);
        var e = Assert.Throws<FileNotFoundException>(() => IsrucReader.ReadAll(dir));
        Assert.Contains("no ExtractedChannels/subject<n>.mat below it (ISRUC source mat)", e.Message);
    }
}

/// <summary>Split manifests must cover the prepared subjects exactly.</summary>
public class SplitManifestTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("bioxbridge-split-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string Manifest(string subjects, string unit = "subject")
    {
        var path = Path.Combine(dir, "split.json");
        File.WriteAllText(path, $$"""{"schema": "bioxbridge.split/1", "unit": "{{unit}}", "subjects": {{subjects}}}""");
        return path;
    }

    static readonly string[] Present = ["S2", "S3", "S4", "S5"];

    [Fact]
    public void A_complete_manifest_gives_its_lists()
    {
        var a = SplitManifest.Read(Manifest("""{"train": ["S3", "S2"], "val": ["S4"], "pair": [], "test": ["S5"]}"""), Present);
        Assert.Equal(["S2", "S3"], a["train"]);
        Assert.Empty(a["pair"]);
    }

    [Theory]
    [InlineData("""{"train": ["S2"], "val": ["S3"], "pair": ["S4"], "test": []}""", "subject(s) S5 are in the data but in no split")]
    [InlineData("""{"train": ["S2", "S9"], "val": ["S3"], "pair": ["S4"], "test": ["S5"]}""", "field 'subjects.train' lists 'S9', which has no windows")]
    [InlineData("""{"train": ["S2"], "val": ["S2"], "pair": ["S4"], "test": ["S5", "S3"]}""", "subject 'S2' is listed in both 'train' and 'val'")]
    [InlineData("""{"train": ["S2"], "val": ["S3"], "pair": ["S4"]}""", "field 'subjects.test': expected a list of subject names")]
    [InlineData("null", "field 'subjects': expected an object")]
    public void Bad_manifests_are_one_clear_error_naming_the_field(string subjects, string message)
    {
        var path = Manifest(subjects);
        var e = Assert.Throws<InvalidDataException>(() => SplitManifest.Read(path, Present));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Window_level_manifests_are_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => SplitManifest.Read(Manifest("null", "window"), Present));
        Assert.Contains("field 'unit': expected 'subject', found 'window'", e.Message);
    }
}
