using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// WesadReader on real-format pickles written by tools/golden/wesad_fog_fixtures.py (Fixtures/datasets/wesad*):
/// a Python-2-style protocol-2 pickle (S2, BINSTRING array data), Python-3 protocols 2 (S3, _codecs.encode), 4 (S4) and
/// 5 (S5, _frombuffer) of the same arrays, a 6-s float32 session (S10), and hand-damaged files.
/// </summary>
public class WesadReaderTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "datasets");
    private static string Wesad(string rel) => Path.Combine(Root, "wesad", rel);
    private static string Damaged(string file) => Path.Combine(Root, "wesad-damaged", file);

    private static readonly Lazy<JsonElement> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "wesad_expected.json"))).RootElement);

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    [Theory]
    [InlineData("S2")]   // Python 2 style: SHORT_BINSTRING keys, BINSTRING array bytes, numpy.core.multiarray._reconstruct
    [InlineData("S3")]   // Python 3, protocol 2: BINUNICODE keys, bytes as _codecs.encode(str, 'latin1')
    [InlineData("S4")]   // Python 3, protocol 4: FRAME, STACK_GLOBAL, MEMOIZE, BINBYTES
    [InlineData("S5")]   // Python 3, protocol 5: numpy.core.numeric._frombuffer(BYTEARRAY8, dtype, shape, 'C')
    public void Reads_the_values_python_wrote(string subject)
    {
        var s = WesadReader.Read(Wesad($"{subject}/{subject}.pkl"));
        var x = Expected.Value;
        Assert.Equal(subject, s.Subject);
        Assert.Equal(Doubles(x.GetProperty("ecg")), s.ChestEcg);   // exact: shortest round-trip reprs
        Assert.Equal(Doubles(x.GetProperty("bvp")), s.WristBvp);
        Assert.Equal(x.GetProperty("label").EnumerateArray().Select(v => v.GetInt32()).ToArray(), s.Label);
        Assert.Equal(140, s.ChestEcg.Length);
        Assert.Equal(13, s.WristBvp.Length);
    }

    [Theory]
    [InlineData("S6", "proto0")]   // Python 2's default pickle.dump: protocol 0, STRING reprs, SETITEM per item, I00/I01
    [InlineData("S7", "proto1")]   // protocol 1: BINSTRING, no PROTO opcode
    public void Reads_protocol_0_and_1_python2_pickles(string subject, string key)
    {
        var s = WesadReader.Read(Wesad($"{subject}/{subject}.pkl"));
        var x = Expected.Value.GetProperty(key);
        Assert.Equal(subject, s.Subject);
        Assert.Equal(Doubles(x.GetProperty("ecg")), s.ChestEcg);
        Assert.Equal(Doubles(x.GetProperty("bvp")), s.WristBvp);
        Assert.Equal(x.GetProperty("label").EnumerateArray().Select(v => v.GetInt32()).ToArray(), s.Label);
    }

    [Fact]
    public void Finds_subject_files_in_numeric_order()
    {
        var files = WesadReader.FindSessions(Path.Combine(Root, "wesad"));
        Assert.Equal(["S2", "S3", "S4", "S5", "S6", "S7", "S10"], files.Select(f => Path.GetFileNameWithoutExtension(f)!).ToArray());
        Assert.Throws<DirectoryNotFoundException>(() => WesadReader.FindSessions(Path.Combine(Root, "no-such-folder")));
        var e = Assert.Throws<InvalidDataException>(() => WesadReader.FindSessions(Path.Combine(Root, "wesad-damaged")));
        Assert.Contains("no SX/SX.pkl", e.Message);
    }

    [Fact]
    public void Reader_feeds_WesadPreprocessing_end_to_end_on_the_python_fixture()
    {
        // 6 s of float32 ECG/BVP (int32 labels: 2 s baseline, 4 s stress); 2-s windows every 1 s fit the 300 KB budget.
        var s = WesadReader.Read(Wesad("S10/S10.pkl"));
        var x = Expected.Value.GetProperty("long");
        Assert.Equal(x.GetProperty("n_ecg").GetInt32(), s.ChestEcg.Length);
        Assert.Equal(x.GetProperty("n_bvp").GetInt32(), s.WristBvp.Length);
        Assert.Equal(Doubles(x.GetProperty("ecg_first")), s.ChestEcg.Take(4).ToArray());
        Assert.Equal(x.GetProperty("ecg_sum").GetDouble(), s.ChestEcg.Sum(), 9);
        Assert.Equal(x.GetProperty("bvp_sum").GetDouble(), s.WristBvp.Sum(), 9);

        var p = WesadPreprocessing.Prepare(s, "wesad", synthetic: false, new WesadPreprocessingOptions(WindowSeconds: 2, StepSeconds: 1));
        Assert.Equal([0, 1, 1, 1], p.Labels);                       // [0,2) baseline; [1,3) mixed → dropped; then stress
        Assert.All(p.Subjects, v => Assert.Equal("S10", v));
        Assert.Equal((1, 200), (p.First.Channels, p.First.Samples));   // ECG @100 Hz
        Assert.Equal((1, 250), (p.Second.Channels, p.Second.Samples)); // PPG @125 Hz
        Assert.All(p.First.Values.Concat(p.Second.Values), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Reader_feeds_WesadPreprocessing_end_to_end_with_the_papers_60s_windows()
    {
        // A full-size Python-2-style SX.pkl is megabytes, so it is written here by Py2Pickle (the same opcodes as the
        // S2 fixture) from a SynWESAD subject; the windows must equal those prepared from the session directly.
        var original = SynWesad.GenerateSubject(new SynWesadConfig(Subjects: 1, MinutesPerClass: 1.5, Seed: 3), 0);
        var bytes = Py2Pickle.Session(original);
        var read = WesadReader.Read(new MemoryStream(bytes), "S2.pkl");
        Assert.Equal(original.ChestEcg, read.ChestEcg);
        Assert.Equal(original.WristBvp, read.WristBvp);
        Assert.Equal(original.Label, read.Label);
        Assert.Equal(original.Subject, read.Subject);

        var a = WesadPreprocessing.Prepare(original, "wesad", synthetic: true);
        var b = WesadPreprocessing.Prepare(read, "wesad", synthetic: true);
        Assert.True(b.Count >= 1, "at least one 60-s window");
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.First.Values, b.First.Values);
        Assert.Equal(a.Second.Values, b.Second.Values);
        Assert.Equal((1, 6000, 1, 7500), (b.First.Channels, b.First.Samples, b.Second.Channels, b.Second.Samples));
    }

    [Theory]
    [InlineData("truncated.pkl", new[] { "truncated.pkl: truncated pickle while reading signal/chest/ECG", "BINSTRING of 560 bytes" })]
    [InlineData("corrupt_opcode.pkl", new[] { "corrupt_opcode.pkl: corrupted pickle while reading signal/chest/ECG", "unknown pickle opcode 0xfe" })]
    [InlineData("wrong_dtype.pkl", new[] { "wrong_dtype.pkl: signal/chest/ECG: expected a float array of shape (n, 1), found int32 array of shape (70, 3)" })]
    [InlineData("missing_key.pkl", new[] { "missing_key.pkl: signal/wrist/BVP: missing (no key 'BVP' in signal/wrist; keys: EDA)" })]
    [InlineData("big_endian.pkl", new[] { "big_endian.pkl: signal/chest/ECG: big-endian arrays (f8, byte order '>') are not supported" })]
    [InlineData("float_label.pkl", new[] { "float_label.pkl: label: expected an integer array of shape (n,), found float64 array of shape (70,)" })]
    [InlineData("not_a_pickle.pkl", new[] { "not_a_pickle.pkl: not a pickle file" })]
    public void Damaged_files_give_one_clear_error_naming_file_and_field(string file, string[] parts)
    {
        var e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(Damaged(file)));
        foreach (var part in parts) Assert.True(e.Message.Contains(part), $"'{part}' not in: {e.Message}");
        Assert.StartsWith(Damaged(file) + ": ", e.Message);
    }

    [Fact]
    public void Every_truncation_and_many_byte_corruptions_give_InvalidDataException_never_a_library_exception()
    {
        foreach (var fixture in new[] { "S2/S2.pkl", "S3/S3.pkl", "S4/S4.pkl", "S5/S5.pkl", "S6/S6.pkl", "S7/S7.pkl" })
        {
            var good = File.ReadAllBytes(Wesad(fixture));
            for (int n = 0; n < good.Length - 1; n += n < 400 ? 1 : 97)
            {
                var e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream(good, 0, n), "cut.pkl"));
                Assert.StartsWith("cut.pkl: ", e.Message);
            }
            var rng = new Random(7);
            for (int trial = 0; trial < 400; trial++)
            {
                var bad = (byte[])good.Clone();
                int at = trial < 200 ? rng.Next(Math.Min(bad.Length, 600)) : rng.Next(bad.Length);
                bad[at] = (byte)rng.Next(256);
                try { WesadReader.Read(new MemoryStream(bad), "flip.pkl"); }   // a flip inside array data still reads
                catch (InvalidDataException e) { Assert.StartsWith("flip.pkl: ", e.Message); }
            }
        }
    }

    [Theory]
    [InlineData("S2/S2.pkl", "ECG", "EMG", "signal/chest/ECG")]
    [InlineData("S2/S2.pkl", "BVP", null, "signal/wrist/BVP")]
    [InlineData("S2/S2.pkl", "label", "subject", "label")]
    [InlineData("S4/S4.pkl", "ECG", "EMG", "signal/chest/ECG")]
    [InlineData("S4/S4.pkl", "BVP", null, "signal/wrist/BVP")]
    [InlineData("S6/S6.pkl", "ECG", "wrist", "signal/chest/ECG", 1000)]   // protocol 0: inside the ECG array's STRING
    [InlineData("S6/S6.pkl", "label", "subject", "label", 1000)]
    [InlineData("S7/S7.pkl", "ECG", "wrist", "signal/chest/ECG", 400)]
    public void A_file_cut_inside_a_field_names_that_field(string fixture, string key, string? nextKey, string field, int maxSpan = int.MaxValue)
    {
        var good = File.ReadAllBytes(Wesad(fixture));
        int from = IndexOf(good, key) + key.Length;
        if (good[from] == (byte)'\'') from += 2;   // protocol 0: the key's line is complete after its closing quote and newline
        int to;
        if (nextKey is not null) to = Math.Min(IndexOf(good, nextKey, from) - 2, from + maxSpan);
        else
        {
            // wrist/EDA's key is a memo reference (no bytes to find): stop at the end of BVP's data instead
            var bvp = Doubles(Expected.Value.GetProperty("bvp")).SelectMany(BitConverter.GetBytes).ToArray();
            int at = good.AsSpan(from).IndexOf(bvp);
            Assert.True(at >= 0);
            to = from + at + bvp.Length;
        }
        Assert.True(to - from > 50);
        for (int n = from; n < to; n++)
        {
            var e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream(good, 0, n), "S2.pkl"));
            Assert.True(e.Message.StartsWith($"S2.pkl: truncated pickle while reading {field}: "), $"cut at {n}: {e.Message}");
        }
    }

    private static int IndexOf(byte[] data, string ascii, int from = 0)
    {
        var i = data.AsSpan(from).IndexOf(Encoding.ASCII.GetBytes(ascii));
        Assert.True(i >= 0, ascii);
        return from + i;
    }

    [Fact]
    public void Other_checks_name_the_file()
    {
        Assert.Throws<FileNotFoundException>(() => WesadReader.Read(Path.Combine(Root, "nope", "S99.pkl")));
        var e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream([]), "S2.pkl"));
        Assert.Contains("S2.pkl: empty file", e.Message);

        // label length ≠ ECG length
        var s = new WesadSession("S9", new double[700], new double[64], new int[699]);
        e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream(Py2Pickle.Session(s)), "S9.pkl"));
        Assert.Contains("S9.pkl: label: 699 samples, but signal/chest/ECG has 700", e.Message);

        // a top-level list instead of the dict
        e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream([0x80, 2, (byte)']', (byte)'.']), "S9.pkl"));
        Assert.Contains("S9.pkl: expected a dict at the top level, found a list of 0", e.Message);
    }

    [Fact]
    public void Reads_wider_dtypes_and_1d_signals()
    {
        // (n,) float16 ECG, int64 labels, uint8 labels: all accepted; values converted exactly
        var ecg = new Half[] { (Half)0.5, (Half)(-2), (Half)1.25 };
        var ecgBytes = new byte[6];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteHalfLittleEndian(ecgBytes.AsSpan(2 * i), ecg[i]);
        var label = new byte[] { 1, 2, 3 };
        var bvpBytes = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bvpBytes, 7.5);
        var pkl = Py2Pickle.Dict(new()
        {
            ["signal"] = Py2Pickle.Dict(new()
            {
                ["chest"] = Py2Pickle.Dict(new() { ["ECG"] = Py2Pickle.Array("f2", [3], ecgBytes) }),
                ["wrist"] = Py2Pickle.Dict(new() { ["BVP"] = Py2Pickle.Array("f8", [1, 1], bvpBytes, module: "numpy._core.multiarray") }),   // numpy 2 name
            }),
            ["label"] = Py2Pickle.Array("u1", [3], label, byteOrder: "|"),
        });
        var s = WesadReader.Read(new MemoryStream(Py2Pickle.Wrap(pkl)), "S11.pkl");
        Assert.Equal([0.5, -2, 1.25], s.ChestEcg);
        Assert.Equal([7.5], s.WristBvp);
        Assert.Equal([1, 2, 3], s.Label);
        Assert.Equal("S11", s.Subject);   // no 'subject' key: the file name
    }
}

/// <summary>
/// Writes Python-2-style protocol-2 pickles the way Python 2's cPickle wrote WESAD (no memo): str as SHORT_BINSTRING /
/// BINSTRING, arrays as numpy.core.multiarray._reconstruct(ndarray, (0,), 'b') + BUILD (1, shape, dtype, False, data).
/// </summary>
internal static class Py2Pickle
{
    public static byte[] Session(WesadSession s)
    {
        var ecg = new byte[s.ChestEcg.Length * 8];
        for (int i = 0; i < s.ChestEcg.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(ecg.AsSpan(8 * i), s.ChestEcg[i]);
        var bvp = new byte[s.WristBvp.Length * 8];
        for (int i = 0; i < s.WristBvp.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bvp.AsSpan(8 * i), s.WristBvp[i]);
        var lab = new byte[s.Label.Length * 4];
        for (int i = 0; i < s.Label.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(lab.AsSpan(4 * i), s.Label[i]);
        return Wrap(Dict(new()
        {
            ["signal"] = Dict(new()
            {
                ["chest"] = Dict(new() { ["ECG"] = Array("f8", [s.ChestEcg.Length, 1], ecg) }),
                ["wrist"] = Dict(new() { ["BVP"] = Array("f8", [s.WristBvp.Length, 1], bvp) }),
            }),
            ["label"] = Array("i4", [s.Label.Length], lab),
            ["subject"] = Str(s.Subject),
        }));
    }

    public static byte[] Wrap(byte[] body) => [0x80, 2, .. body, (byte)'.'];

    public static byte[] Str(string s) => Str(Encoding.Latin1.GetBytes(s));

    public static byte[] Str(byte[] b) => b.Length < 256
        ? [(byte)'U', (byte)b.Length, .. b]
        : [(byte)'T', .. Int32(b.Length), .. b];

    private static byte[] Int32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }
    private static byte[] Int(long v) => v is >= 0 and < 256 ? [(byte)'K', (byte)v] : [(byte)'J', .. Int32(checked((int)v))];
    private static byte[] Global(string module, string name) => [(byte)'c', .. Encoding.ASCII.GetBytes($"{module}\n{name}\n")];

    public static byte[] Dict(Dictionary<string, byte[]> items)
    {
        var o = new List<byte> { (byte)'}', (byte)'(' };
        foreach (var (k, v) in items) { o.AddRange(Str(k)); o.AddRange(v); }
        o.Add((byte)'u');
        return o.ToArray();
    }

    public static byte[] Array(string descr, long[] shape, byte[] data, string byteOrder = "<", string module = "numpy.core.multiarray")
    {
        var o = new List<byte>();
        o.AddRange(Global(module, "_reconstruct"));
        o.AddRange(Global("numpy", "ndarray"));
        o.AddRange(Int(0)); o.Add(0x85); o.AddRange(Str("b")); o.Add(0x87); o.Add((byte)'R');
        o.Add((byte)'('); o.AddRange(Int(1));
        o.Add((byte)'('); foreach (var d in shape) o.AddRange(Int(d)); o.Add((byte)'t');
        o.AddRange(Global("numpy", "dtype")); o.AddRange(Str(descr)); o.AddRange(Int(0)); o.AddRange(Int(1)); o.Add(0x87); o.Add((byte)'R');
        o.Add((byte)'('); o.AddRange(Int(3)); o.AddRange(Str(byteOrder)); o.AddRange("NNN"u8.ToArray());
        o.AddRange([(byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'J', 0xff, 0xff, 0xff, 0xff]); o.AddRange(Int(0)); o.Add((byte)'t'); o.Add((byte)'b');
        o.Add(0x89); o.AddRange(Str(data)); o.Add((byte)'t'); o.Add((byte)'b');
        return o.ToArray();
    }
}
