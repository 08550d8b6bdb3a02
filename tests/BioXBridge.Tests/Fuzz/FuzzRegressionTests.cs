using System.IO.Compression;
using System.Text;
using BioXBridge.Data;
using BioXBridge.Experiments;
using BioXBridge.Models;
using Xunit;

namespace BioXBridge.Tests.Fuzz;

/// <summary>
/// Each distinct fuzz finding, minimised: a byte literal where the damage is one field, else the generator call that
/// produced it (<see cref="FuzzTests.Case"/> is deterministic). Before the fix each threw the exception named in the
/// test; now each is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public class FuzzRegressionTests
{
    static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    static InvalidDataException Rejects(string name, byte[] bytes, Action<string> parse)
    {
        var dir = Directory.CreateTempSubdirectory("bxb-fuzz-reg-").FullName;
        try
        {
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => parse(path));
            Assert.Contains(path, e.Message);
            return e;
        }
        finally { Directory.Delete(dir, true); }
    }

    static byte[] NpyWithHeader(string header, int dataBytes, byte major = 1)
    {
        var h = Encoding.ASCII.GetBytes(header);
        byte[] head = major == 1 ? [0x93, .. "NUMPY"u8.ToArray(), 1, 0, (byte)h.Length, (byte)(h.Length >> 8)]
            : [0x93, .. "NUMPY"u8.ToArray(), major, 0, (byte)h.Length, (byte)(h.Length >> 8), 0, 0];
        return [.. head, .. h, .. new byte[dataBytes]];
    }

    [Fact]
    public void Npy_version2_header_length_with_the_top_bit_set_is_too_long_not_negative()
    {
        // Was ArgumentOutOfRangeException (byteCount) from Encoding.GetString: 0xFFFFFFF0 read as int is -16.
        byte[] bytes = [0x93, .. "NUMPY"u8, 2, 0, 0xF0, 0xFF, 0xFF, 0xFF, .. new byte[64]];
        var e = Rejects("a.npy", bytes, p => Npy.Read(p));
        Assert.Contains("header length 4294967280", e.Message);
    }

    [Fact]
    public void Npy_version2_file_cut_inside_the_length_field()
    {
        // Was ArgumentOutOfRangeException from BitConverter.ToInt32: 10 bytes, the v2 length field needs 12.
        Assert.Contains("needs 12", Rejects("a.npy", [0x93, .. "NUMPY"u8, 2, 0, 0x40, 0], p => Npy.Read(p)).Message);
    }

    [Theory]
    [InlineData("(3, x)", "'x'")]              // was FormatException from long.Parse
    [InlineData("(99999999999999999999,)", "'99999999999999999999'")] // was OverflowException from long.Parse
    [InlineData("(-3,)", "'-3'")]              // a negative dimension could match the data length with another
    public void Npy_shape_that_is_not_a_tuple_of_counts(string shape, string quoted)
    {
        var bytes = NpyWithHeader($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}\n", 12);
        var e = Rejects("a.npy", bytes, p => Npy.Read(p));
        Assert.Contains($"field 'shape' holds {quoted}", e.Message);
    }

    [Fact]
    public void Npy_shape_whose_byte_count_overflows_long()
    {
        // 2^32 × 2^32 × 4 bytes wraps to 0 in unchecked arithmetic, which would have matched an empty data part.
        var bytes = NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 0);
        Assert.Contains("overflows", Rejects("a.npy", bytes, p => Npy.Read(p)).Message);
    }

    [Fact]
    public void Npy_fuzz_cases_found_in_ci()
    {
        var seed = File.ReadAllBytes(Fixture("bridge", "release_init_A.npy"));
        Rejects("a.npy", FuzzTests.Case(seed, 1101106985, false), p => Npy.Read(p));   // was FormatException
        Rejects("a.npy", FuzzTests.Case(seed, 1908884042, false), p => Npy.Read(p));   // was ArgumentOutOfRangeException
    }

    [Fact]
    public void Mat_damaged_deflate_stream_that_zlib_reports_as_ZLibException()
    {
        // A miMATRIX tag flipped to miCOMPRESSED (14 → 15) hands uncompressed bytes to zlib; some byte patterns make
        // zlib fail with ZLibException (an IOException), which escaped the InvalidDataException-only catch.
        var seed = File.ReadAllBytes(Fixture("isruc", "matlab_style.mat"));
        Rejects("a.mat", FuzzTests.Case(seed, 1945389556, false), p => MatFile.Read(p));
    }

    [Theory]
    [InlineData("[-1]")]                 // a negative dimension reached torch.empty
    [InlineData("[1000000000000]")]      // 4 TB for a 4-byte entry: torch.empty allocated before the length check
    [InlineData("[-1, 0]")]              // a product of 0 must not hide the negative dimension
    public void Training_checkpoint_shape_is_checked_before_allocating(string shape)
    {
        var header = Encoding.UTF8.GetBytes("{\"fingerprint\":\"x\",\"epoch\":0,\"next_sample\":0,\"history\":[],"
            + $"\"tensors\":[{{\"name\":\"w\",\"type\":6,\"shape\":{shape},\"offset\":0,\"length\":4}}]}}");
        byte[] bytes = [.. "BXCKPT01"u8.ToArray(), .. BitConverter.GetBytes(header.Length), .. header, 0, 0, 128, 63];
        Assert.Contains($"for shape {shape.Replace(",", ", ").Replace(",  ", ", ")}", Rejects("c.ckpt", bytes, p => TrainingCheckpoint.Load(p)).Message);
    }

    [Fact]
    public void Training_checkpoint_offset_plus_length_that_overflows_long()
    {
        // offset + length wrapped negative and passed "data + offset + length > file length".
        var header = Encoding.UTF8.GetBytes("{\"fingerprint\":\"x\",\"epoch\":0,\"next_sample\":0,\"history\":[],"
            + "\"tensors\":[{\"name\":\"w\",\"type\":6,\"shape\":[1],\"offset\":9223372036854775800,\"length\":4}]}");
        byte[] bytes = [.. "BXCKPT01"u8.ToArray(), .. BitConverter.GetBytes(header.Length), .. header, 0, 0, 128, 63];
        Assert.Contains("lies outside the file", Rejects("c.ckpt", bytes, p => TrainingCheckpoint.Load(p)).Message);
    }

    static string Shipped(string folder, string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "configs", folder, name))) return File.ReadAllText(Path.Combine(d.FullName, "configs", folder, name));
        throw new FileNotFoundException(name);
    }

    [Fact]
    public void Sweep_seed_past_int32_passes_the_schema_but_not_the_reader()
    {
        // The schema says "integer"; 2147483648 is one, but the record's int field is not. Was a raw JsonException.
        var text = Shipped("sweeps", "rank-smoke.json").Replace("\"seeds\": [0]", "\"seeds\": [2147483648]");
        var e = Rejects("s.json", Encoding.UTF8.GetBytes(text), p => SweepFile.Parse(File.ReadAllText(p), p));
        Assert.Contains("seeds", e.Message);
    }

    [Fact]
    public void Sweep_number_beyond_decimal_range_in_the_schema_check()
    {
        // Json.Schema reads a number under "minimum" as decimal: seeds [1e400] was a FormatException from DirectionFiles.Validate.
        var text = Shipped("sweeps", "rank-smoke.json").Replace("\"seeds\": [0]", "\"seeds\": [1e400]");
        var e = Rejects("s.json", Encoding.UTF8.GetBytes(text), p => SweepFile.Parse(File.ReadAllText(p), p));
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void Manifest_duplicate_keys_are_refused_when_parsing()
    {
        // Were ArgumentExceptions (same key added twice) from SplitManifest.Read and DatasetManifest.Parse/Validator.
        var split = File.ReadAllText(RepoFile(Path.Combine("data-manifests", "splits", "wesad-subjectwise.json")));
        var dupSplit = split.Insert(split.IndexOf("\"unit\"", StringComparison.Ordinal), "\"unit\": \"subject\",\n  ");
        Assert.Contains("not a JSON object", Rejects("s.json", Encoding.UTF8.GetBytes(dupSplit), p => SplitManifest.Read(p, ["S2"])).Message);
        var ds = File.ReadAllText(RepoFile(Path.Combine("data-manifests", "datasets", "wesad.json")));
        var at = ds.IndexOf("\"description\"", StringComparison.Ordinal);
        var dupDs = ds.Insert(at, ds[at..(ds.IndexOf('\n', at) + 1)]);
        Rejects("d.json", Encoding.UTF8.GetBytes(dupDs), p => BioXBridge.Data.Fetch.DatasetManifest.Load(p));
        // A manifest without "name": the missing field is collected, then the name check ran Regex.IsMatch(null):
        // ArgumentNullException from DatasetManifest.Parse.
        var n = ds.IndexOf("\"name\"", StringComparison.Ordinal);
        var noName = ds.Remove(n, ds.IndexOf('\n', n) + 1 - n);
        Assert.Contains("field 'name'", Rejects("d.json", Encoding.UTF8.GetBytes(noName), p => BioXBridge.Data.Fetch.DatasetManifest.Load(p)).Message);
    }

    static string RepoFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Path.Exists(Path.Combine(d.FullName, relative))) return Path.Combine(d.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    [Fact]
    public void Direction_duplicate_key_is_refused_when_parsing()
    {
        // A duplicated line inside "settings" was an ArgumentException (same key added twice) from ConfigOverrides.Check.
        var text = Shipped("directions", "synwesad-ppg-to-ecg.json");
        var at = text.IndexOf("\"description\"", StringComparison.Ordinal);
        var line = text[at..(text.IndexOf('\n', at) + 1)];
        var e = Rejects("d.json", Encoding.UTF8.GetBytes(text.Insert(at, line)), p => DirectionFiles.Load(p));
        Assert.Contains("not valid JSON", e.Message);
    }

    static string ModelManifestWith(string container, string expected) => $$"""
        { "schema": "bioxbridge.model/1", "name": "m", "display_name": "M",
          "paper": { "title": "t", "authors": "a", "venue": "v", "url": "u" },
          "source": { "repository": "r", "weights_url": "w", "file_name": "f.pt", "sha256": null, "verified": false },
          "license": "MIT", "container": {{container}},
          "input": { "modality": "ECG", "sample_rate_hz": 100, "shape": "(b, 1, t)", "scaling": "none", "example": null },
          "expected_tensors": {{expected}} }
        """;

    /// <summary>Was an ArgumentException (ToDictionary) from CheckpointConverter.Check when the manifest was used.</summary>
    [Fact]
    public void Model_manifest_naming_one_expected_tensor_twice()
    {
        var e = Rejects("twice.json", Encoding.UTF8.GetBytes(ModelManifestWith("{}",
            """[{ "name": "w", "shape": [2], "dtype": "F32" }, { "name": "w", "shape": [3], "dtype": "F32" }]""")), p => ModelManifest.Load(p));
        Assert.EndsWith("expected_tensors names 'w' 2 times; each tensor once", e.Message);
    }

    /// <summary>Was an ArgumentNullException ('replacement') from CheckpointConverter.ApplyLayout; a null for any
    /// non-nullable field is now refused while parsing.</summary>
    [Theory]
    [InlineData("""{ "renames": [{ "pattern": "^a", "replacement": null }] }""", "null")]
    [InlineData("""{ "renames": [{ "pattern": "^a" }] }""", "replacement")]
    public void Model_manifest_rename_without_a_replacement(string container, string what)
    {
        var e = Rejects("rename.json", Encoding.UTF8.GetBytes(ModelManifestWith(container, "null")), p => ModelManifest.Load(p));
        Assert.Contains("not a valid model manifest", e.Message);
        Assert.Contains(what, e.Message);
    }
}
