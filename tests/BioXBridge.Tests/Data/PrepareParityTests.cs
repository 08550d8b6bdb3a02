using System.IO.Compression;
using System.Text.Json.Nodes;
using BioXBridge.Data;
using BioXBridge.Tests.Cli;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// <c>data prepare</c> end to end on raw fixture folders (WESAD pickles, ISRUC .mat and .rec, FOG CSVs) against an
/// independent numpy/scipy pipeline (tools/golden/prepare_reference.py, outputs in Fixtures/prepare/expected/*.npz).
/// Every split's written .npy must have exactly the reference's window count and labels, and values within a relative
/// error of 1e-5, measured as max|ours − ref| / max|ref| over the whole array (so near-zero samples of a z-scored
/// signal do not blow the ratio up). The fixtures hold four subjects, one per role, given by a split manifest.
/// </summary>
public class PrepareParityTests(Xunit.Abstractions.ITestOutputHelper log)
{
    const double Tolerance = 1e-5;

    static string Fx(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", "prepare", .. parts]);

    static Dictionary<string, Npy.Array> Expected(string dataset)
    {
        using var zip = ZipFile.OpenRead(Fx("expected", dataset + ".npz"));
        return zip.Entries.ToDictionary(e => e.Name[..^".npy".Length], e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return Npy.Parse(m.ToArray(), $"{dataset}.npz/{e.Name}");
        });
    }

    static string TempDir() => Path.Combine(Path.GetTempPath(), "bioxbridge-parity-" + Guid.NewGuid().ToString("N"));

    /// <summary>Compares every split of a prepared folder with the reference windows of the split's subjects.</summary>
    int AssertMatchesReference(string dir, string dataset, string key, string[] modalities, string manifest)
    {
        var expected = Expected(dataset);
        var roles = JsonNode.Parse(File.ReadAllText(manifest))!["subjects"]!.AsObject();
        int windows = 0;
        foreach (var role in SplitManifest.Roles)
        {
            var subjects = roles[role]!.AsArray().Select(s => (string)s!).ToArray();
            foreach (var m in modalities)
            {
                var ours = Npy.Read(Path.Combine(dir, role, m + ".npy"));
                var refs = subjects.Select(s => expected[$"{key}.{s}.{m}"]).ToArray();
                Assert.Equal(refs.Sum(r => r.Shape[0]), ours.Shape[0]);
                Assert.Equal(refs[0].Shape[1..], ours.Shape[1..]);
                var a = ours.AsFloat32();
                var b = refs.SelectMany(r => r.AsFloat32()).ToArray();
                double scale = b.Max(v => Math.Abs((double)v)), worst = 0;
                for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
                log.WriteLine($"{key} {role}/{m}.npy: {ours.Shape[0]} windows, max |diff| / max |ref| = {worst / scale:E2}");
                Assert.True(worst / scale < Tolerance, $"{dataset} {key} {role}/{m}.npy: max |diff| / max |ref| = {worst / scale:E2}");
            }
            var labels = Npy.Read(Path.Combine(dir, role, "labels.npy")).AsInt64();
            Assert.Equal(subjects.SelectMany(s => expected[$"{key}.{s}.labels"].AsInt64()).ToArray(), labels);
            Assert.Equal(subjects.SelectMany(s => Enumerable.Repeat(s, labels.Length / subjects.Length)),
                         System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(dir, role, "subjects.json")))!);
            windows += labels.Length;
        }
        return windows;
    }

    (int Windows, JsonObject Manifest) Prepare(string dataset, string raw, string key, string[] modalities, PrepareOptions o)
    {
        var dir = TempDir();
        try
        {
            var (data, preprocessing) = DatasetPreparation.Prepare(dataset, raw, o);
            PreparedData.Write(data, dir, preprocessing);
            int n = AssertMatchesReference(dir, Path.GetFileName(raw), key, modalities, o.SplitManifest!);
            return (n, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, PreparedData.ManifestFile)))!.AsObject());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(LabelResampling.Nearest, "nearest", 8)]
    [InlineData(LabelResampling.FftRound, "fftround", 7)]
    public void Wesad_prepare_equals_the_scipy_pipeline_in_both_label_modes(LabelResampling mode, string key, int windows)
    {
        var (n, manifest) = Prepare("wesad", Fx("wesad"), key, ["ecg", "ppg"],
                                    new PrepareOptions(Labels: mode, SplitManifest: Fx("splits", "wesad.json")));
        // the release's FFT labels ring at S3's 7 → 1 step, which lies on a window start: one window fewer
        Assert.Equal(windows, n);
        Assert.Equal(mode.ToString(), (string)manifest["preprocessing"]!["labels"]!);
        Assert.Equal("split manifest", (string)manifest["preprocessing"]!["split"]!["rule"]!);
    }

    [Theory]
    [InlineData(IsrucSource.Mat, "mat")]
    [InlineData(IsrucSource.Rec, "rec")]
    public void Isruc_prepare_equals_the_scipy_pipeline_from_mat_and_from_edf(IsrucSource source, string key)
    {
        var (n, manifest) = Prepare("isruc-s1", Fx("isruc"), key, ["eeg", "ecg"],
                                    new PrepareOptions(IsrucSource: source, SplitManifest: Fx("splits", "isruc.json")));
        Assert.Equal(5, n);
        Assert.StartsWith(key + ":", (string)manifest["preprocessing"]!["source"]!);
    }

    [Fact]
    public void Isruc_routes_read_different_files()
    {
        // the fixture's .mat and .rec hold different signals, so the route tests above cannot pass by reading one file twice
        var expected = Expected("isruc");
        Assert.NotEqual(expected["mat.1.eeg"].AsFloat32(), expected["rec.1.eeg"].AsFloat32());
    }

    [Fact]
    public void Fog_prepare_equals_the_scipy_pipeline()
    {
        var (n, _) = Prepare("fog", Fx("fog"), "fog", ["eeg", "emg"], new PrepareOptions(SplitManifest: Fx("splits", "fog.json")));
        Assert.Equal(5, n);
    }

    [Fact]
    public void Fog_emg_as_normwear_input_is_the_scalogram_of_the_reference_windows_and_reads_back_with_its_shape()
    {
        var dir = TempDir();
        try
        {
            var o = new PrepareOptions(SplitManifest: Fx("splits", "fog.json"), FogEmg: FogEmgForm.Scalogram);
            var (data, preprocessing) = DatasetPreparation.Prepare("fog", Fx("fog"), o);
            PreparedData.Write(data, dir, preprocessing);
            var manifest = JsonNode.Parse(File.ReadAllText(Fx("splits", "fog.json")))!["subjects"]!["pair"]!.AsArray();
            var reference = Expected("fog")[$"fog.{(string)manifest[0]!}.emg"];       // (n, 3, 390), scipy pipeline
            var written = Npy.Read(Path.Combine(dir, "pair", "emg.npy"));
            Assert.Equal([reference.Shape[0], 3, 3, 388, 65], written.Shape);

            // the CWT itself is checked against scipy in FogPreprocessingTests; here: the right windows, in NormWear's layout
            var raw = reference.AsFloat32();
            var expected = Enumerable.Range(0, (int)reference.Shape[0] * 3).SelectMany(j =>
                BioXBridge.Signals.RickerCwt.NormWearScalogram(raw.AsSpan(j * 390, 390).ToArray().Select(v => (double)v).ToArray())).ToArray();
            var ours = written.AsFloat32();
            double scale = expected.Max(Math.Abs), worst = expected.Select((v, i) => Math.Abs(v - ours[i])).Max();
            Assert.True(worst / scale < Tolerance, $"scalogram max |diff| / max |ref| = {worst / scale:E2}");

            var back = PreparedData.Read(dir).Pair.Modality("emg");
            Assert.Equal([3, 388, 65], back.SampleShape!);
            Assert.Equal(3 * 388 * 65, back.Samples);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Cli_prepare_of_isruc_edf_writes_the_reference_windows()
    {
        var dir = TempDir();
        try
        {
            var (code, stdout, stderr) = CliProcess.Run("data", "prepare", "isruc-s1", "--raw", Fx("isruc"), "--isruc-source", "rec",
                                                        "--split", Fx("splits", "isruc.json"), "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Contains("test        1 windows  4", stdout);
            Assert.Equal(5, AssertMatchesReference(dir, "isruc", "rec", ["eeg", "ecg"], Fx("splits", "isruc.json")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
