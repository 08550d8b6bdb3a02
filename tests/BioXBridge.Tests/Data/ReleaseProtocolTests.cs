using System.IO.Compression;
using System.Text.Json.Nodes;
using BioXBridge.Data;
using BioXBridge.Experiments;
using BioXBridge.Tests.Cli;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// <c>data prepare --protocol release</c> against CPython and numpy/scipy running the release's procedure
/// (tools/golden/release_split_golden.py, outputs in Fixtures/release/): CPython's random generator and shuffle, the
/// ISRUC 99-subject split, and the FOG patient-008 window split with per-modality FFT-carried labels, end to end on
/// raw FOG files; and the window-level marking from prepared.json into a run record and its report.
/// </summary>
public class ReleaseProtocolTests
{
    static string Fx(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", "release", .. parts]);
    static string TempDir() => Path.Combine(Path.GetTempPath(), "bioxbridge-release-" + Guid.NewGuid().ToString("N"));
    static string[] Roles => SplitManifest.Roles;

    static Dictionary<string, Npy.Array> Expected()
    {
        using var zip = ZipFile.OpenRead(Fx("fog_expected.npz"));
        return zip.Entries.ToDictionary(e => e.Name[..^".npy".Length], e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return Npy.Parse(m.ToArray(), e.Name);
        });
    }

    [Fact]
    public void PythonRandom_reproduces_cpythons_getrandbits_and_shuffle()
    {
        foreach (var c in JsonNode.Parse(File.ReadAllText(Fx("python_random.json")))!.AsArray())
        {
            long seed = (long)c!["seed"]!;
            var rng = new PythonRandom(seed);
            Assert.Equal(c["getrandbits32"]!.AsArray().Select(v => (uint)v!).ToArray(), Enumerable.Range(0, 5).Select(_ => rng.GetRandBits(32)).ToArray());
            foreach (var (n, expected) in c["shuffle"]!.AsObject())
            {
                var x = Enumerable.Range(0, int.Parse(n)).ToList();
                new PythonRandom(seed).Shuffle(x);
                Assert.Equal(expected!.AsArray().Select(v => (int)v!).ToArray(), x.ToArray());
            }
        }
    }

    [Fact]
    public void Isruc_release_split_is_the_one_cpython_deals_and_leaves_out_subject_75()
    {
        var golden = JsonNode.Parse(File.ReadAllText(Fx("isruc_split.json")))!;
        var (subjects, unused) = ReleaseSplit.IsrucSubjects(Enumerable.Range(1, 100).Select(i => i.ToString()), ReleaseSplit.Seed);
        Assert.Equal(["75"], unused);
        var manifest = JsonNode.Parse(File.ReadAllText(SplitManifest.Locate("isruc-s1-release")))!;
        foreach (var role in Roles)
        {
            var dealt = golden["subjects"]![role]!.AsArray().Select(v => (string)v!).ToArray();
            Assert.Equal(dealt.Order(StringComparer.Ordinal), subjects[role]);
            Assert.Equal(subjects[role], manifest["subjects"]![role]!.AsArray().Select(v => (string)v!));
        }
        Assert.Equal([33, 11, 33, 22], Roles.Select(r => subjects[r].Length));
    }

    [Fact]
    public void Isruc_release_protocol_prepares_99_of_100_subjects_and_refuses_fewer()
    {
        var o = new PrepareOptions(Protocol: SplitProtocol.Release, Size: new SyntheticSize(Subjects: 100, EpochsPerSubject: 1));
        var (data, pre) = DatasetPreparation.Prepare("synisruc", null, o);
        var (expected, _) = ReleaseSplit.IsrucSubjects(Enumerable.Range(1, 100).Select(i => i.ToString()), 6);
        foreach (var (role, part) in data.Named())
            Assert.Equal(expected[role], part.Subjects.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(99, data.Named().Sum(p => p.Data.Count));
        Assert.Equal("subject", data.SplitUnit);
        Assert.Null(data.Leakage);
        Assert.Equal("release", (string)pre["protocol"]!);
        Assert.Equal("75", (string)pre["split_rule"]!["unused"]![0]!);
        Assert.Equal(6, (int)pre["split_rule"]!["seed"]!);

        var few = o with { Size = new SyntheticSize(Subjects: 12, EpochsPerSubject: 1) };
        var e = Assert.Throws<InvalidDataException>(() => DatasetPreparation.Prepare("synisruc", null, few));
        Assert.Contains("99 subjects", e.Message);
    }

    [Fact]
    public void Fog_release_labels_are_scipys_fft_round_per_modality_and_keep_a_window_the_500_hz_track_drops()
    {
        var x = Expected();
        var meta = JsonNode.Parse(File.ReadAllText(Fx("fog_expected.json")))!;
        foreach (var (session, task) in new[] { ("OFF_1", "task_10"), ("OFF_2", "task_2") })
        {
            var r = FogReader.Read(FogReader.Discover(Fx("fog")).Single(f => f.Session == session));
            Assert.Equal(task, r.Task);
            string key = "008_" + session;
            int n200 = r.Length * 2 / 5, n130 = r.Length * 13 / 50;
            Assert.Equal(x[key + ".l200"].AsInt64().Select(v => (int)v), WesadPreprocessing.CarryLabels(r.Label, n200, LabelResampling.FftRound));
            Assert.Equal(x[key + ".l130"].AsInt64().Select(v => (int)v), WesadPreprocessing.CarryLabels(r.Label, n130, LabelResampling.FftRound));
            var (eeg, emg, _) = FogPreprocessing.SelectPerModality(r, key, n200, n130, new FogOptions());
            Assert.Equal(x[key + ".starts200"].AsInt64().Select(v => (int)v), eeg);
            Assert.Equal(x[key + ".starts130"].AsInt64().Select(v => (int)v), emg);
            // the kit's default picks on the 500-Hz track, where the window of 1199/1500 normal samples falls below 80 %
            var nearest = meta["selection"]![key]!["starts500"]!.AsArray().Count;
            Assert.Equal(eeg.Length - 1, nearest);
            Assert.Equal(nearest, FogPreprocessing.SelectWindows(r.Label, 1500, 150, FogPreprocessing.WindowCount(r.Length, 1500, 150), 0.8).Index.Length);
            // and FogOptions.Labels chooses between the two outside the release protocol too (--labels fftround)
            Assert.Equal(nearest, FogPreprocessing.Prepare(r, "fog", false, new FogOptions(Emg: FogEmgForm.Raw)).Count);
            Assert.Equal(eeg.Length, FogPreprocessing.Prepare(r, "fog", false, new FogOptions(Emg: FogEmgForm.Raw, Labels: LabelResampling.FftRound)).Count);
        }
    }

    [Fact]
    public void Fog_release_protocol_is_the_release_pipeline_window_for_window_and_is_marked_window_level()
    {
        var x = Expected();
        var meta = JsonNode.Parse(File.ReadAllText(Fx("fog_expected.json")))!;
        var (data, pre) = DatasetPreparation.Prepare("fog", Fx("fog"), new PrepareOptions(Protocol: SplitProtocol.Release));
        foreach (var (role, part) in data.Named())
        {
            Assert.Equal((int)meta["splits"]![role]!.AsArray().Count, part.Count);
            Assert.Equal(x[role + ".labels"].AsInt64().Select(v => (int)v), part.Labels);
            Assert.All(part.Subjects, s => Assert.Equal("008", s));   // patient filter: 001's window is not used
            foreach (var (m, w) in new[] { ("eeg", part.First), ("emg", part.Second) })
            {
                var refv = x[$"{role}.{m}"];
                Assert.Equal(refv.Shape, w.Shape);
                var b = refv.AsFloat32();
                double scale = b.Max(v => Math.Abs((double)v)), worst = b.Select((v, i) => Math.Abs((double)v - w.Values[i])).Max();
                Assert.True(worst / scale < 1e-5, $"{role}/{m}: max |diff| / max |ref| = {worst / scale:E2}");
            }
        }
        // 26 windows: sizes round(26·r/99) = 9/3/9/6 add up to 27, so the last split is cut to 5, as Python's slice does
        Assert.Equal([9, 3, 9, 5], data.Named().Select(p => p.Data.Count));
        Assert.Equal(6, (int)pre["split_rule"]!["sizes"]!["test"]!);
        Assert.Equal("window", data.SplitUnit);
        Assert.StartsWith("WINDOW-LEVEL split", data.Leakage);

        var dir = TempDir();
        try
        {
            PreparedData.Write(data, dir, pre);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, PreparedData.ManifestFile)))!;
            Assert.Equal("window", (string)json["split_unit"]!);
            Assert.Equal(ReleaseSplit.FogLeakage, (string)json["leakage"]!);
            Assert.Equal("release", (string)json["preprocessing"]!["protocol"]!);
            var back = PreparedData.Read(dir);
            Assert.Equal(("window", ReleaseSplit.FogLeakage), (back.SplitUnit, back.Leakage));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_run_on_window_level_data_says_so_in_its_record_and_report()
    {
        var cfg = DirectionFiles.Load("synwesad-ppg-to-ecg", ["kd.enabled=false", "kd_contrast.enabled=false"]);
        var data = DirectionData.Load(cfg) with { SplitUnit = "window", Leakage = ReleaseSplit.FogLeakage };
        using var ctx = ExperimentContext.Load(cfg, data: data);
        var record = BridgeExperiment.Record(ctx, 0, new PositionRecord(0, 0, [], [], "none"), new Dictionary<string, MethodResult>(), DateTime.UtcNow, 0);
        Assert.Equal("window", record.SplitUnit);
        Assert.EndsWith("; " + ReleaseSplit.FogLeakage, record.DataNote);
        var back = RunRecord.FromJson(record.ToJson(), "record");
        Assert.Equal(("window", record.DataNote), (back.SplitUnit, back.DataNote));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(ReleaseSplit.FogLeakage), BioXBridge.Reports.RunReport.Html(record));
        // the seed aggregate and the reproduction report ('report' command) carry it on
        var aggregate = AggregateRecord.From([record], 0);
        Assert.Equal(("window", record.DataNote), (aggregate.SplitUnit, aggregate.DataNote));
        var md = BioXBridge.Reports.ReproductionReport.Markdown([new(aggregate, "runs", [], null)], []);
        Assert.Contains("| synwesad-ppg-to-ecg | SYNTHETIC synwesad, WINDOW-LEVEL split |", md);
        Assert.Contains("Data: " + record.DataNote, md);
        // a record written before the field existed reads as subject-wise
        var old = JsonNode.Parse(record.ToJson())!.AsObject();
        old.Remove("split_unit");
        Assert.Equal("subject", RunRecord.FromJson(old.ToJsonString(), "old").SplitUnit);
    }

    [Fact]
    public void Cli_prepares_the_release_protocol_and_refuses_it_with_a_split_manifest()
    {
        var dir = TempDir();
        try
        {
            var (code, stdout, stderr) = CliProcess.Run("data", "prepare", "fog", "--raw", Fx("fog"), "--protocol", "release", "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Contains("test        5 windows  008", stdout);
            Assert.Contains("note: WINDOW-LEVEL split", stdout);
            (code, _, stderr) = CliProcess.Run("data", "prepare", "fog", "--raw", Fx("fog"), "--protocol", "release", "--split", "fog-subjectwise", "--out", dir + "-x");
            Assert.NotEqual(0, code);
            Assert.Contains("--protocol release", stderr);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
