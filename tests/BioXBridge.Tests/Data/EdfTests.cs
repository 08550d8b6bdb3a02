using System.Text.Json;
using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>EDF/EDF+ reader and writer: files from an independent Python writer (tools/golden/isruc_fixtures.py),
/// C# write → C# read round trips, and the C#-written file as mne read it.</summary>
public class EdfTests
{
    static string Temp(string name) => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Guid.NewGuid():N}_{name}");

    [Fact]
    public void Python_written_edf_plus_reads_to_the_same_fields_values_and_annotations()
    {
        var path = IsrucFixtures.Path("python_written.edf");
        var r = EdfFile.Read(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(IsrucFixtures.Path("edf_expected.json")));
        var h = doc.RootElement.GetProperty("header");
        Assert.Equal("0", r.Header.Version);
        Assert.Equal(h.GetProperty("patient").GetString(), r.Header.Patient);
        Assert.Equal(h.GetProperty("recording").GetString(), r.Header.Recording);
        Assert.Equal(h.GetProperty("start_date").GetString(), r.Header.StartDate);
        Assert.Equal(h.GetProperty("start_time").GetString(), r.Header.StartTime);
        Assert.Equal(h.GetProperty("reserved").GetString(), r.Header.Reserved);
        Assert.True(r.Header.IsEdfPlus);
        Assert.Equal(h.GetProperty("records").GetInt32(), r.Header.RecordCount);
        Assert.Equal(h.GetProperty("duration").GetDouble(), r.Header.RecordDuration);
        Assert.Equal(h.GetProperty("header_bytes").GetInt32(), r.Header.HeaderBytes);
        Assert.Equal(3, r.Signals.Count);
        foreach (var s in doc.RootElement.GetProperty("signals").EnumerateArray())
        {
            var got = r.Signal(s.GetProperty("label").GetString()!);
            Assert.Equal(s.GetProperty("transducer").GetString(), got.Transducer);
            Assert.Equal(s.GetProperty("dim").GetString(), got.PhysicalDimension);
            Assert.Equal(s.GetProperty("pmin").GetDouble(), got.PhysicalMin);
            Assert.Equal(s.GetProperty("pmax").GetDouble(), got.PhysicalMax);
            Assert.Equal(s.GetProperty("dmin").GetInt32(), got.DigitalMin);
            Assert.Equal(s.GetProperty("dmax").GetInt32(), got.DigitalMax);
            Assert.Equal(s.GetProperty("prefilter").GetString(), got.Prefiltering);
            Assert.Equal(s.GetProperty("spr").GetInt32(), got.SamplesPerRecord);
            // numpy evaluated the spec's formula in the same order: equal to the last bit
            var want = s.GetProperty("physical").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(want.Select(BitConverter.DoubleToInt64Bits), got.Physical.Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.Equal(200, r.SampleRate(r.Signal("C3-A2")));
        Assert.Equal(100, r.SampleRate(r.Signal("X2")));
        var ann = r.Signal(EdfSignal.AnnotationLabel);
        Assert.True(ann.IsAnnotation);
        Assert.Empty(ann.Physical);
        Assert.Equal(doc.RootElement.GetProperty("tal").EnumerateArray().Select(t => t.GetString()), r.AnnotationTal);
        Assert.Equal(
            doc.RootElement.GetProperty("annotations").EnumerateArray().Select(a => new EdfAnnotation(a.GetProperty("onset").GetDouble(),
                a.GetProperty("duration").ValueKind == JsonValueKind.Null ? null : a.GetProperty("duration").GetDouble(),
                a.GetProperty("text").GetString()!)),
            r.Annotations);
    }

    [Fact]
    public void Only_the_asked_for_signals_are_converted()
    {
        var r = EdfFile.Read(IsrucFixtures.Path("python_written.edf"), ["X2"]);
        Assert.Empty(r.Signal("C3-A2").Physical);
        Assert.Equal(300, r.Signal("X2").Physical.Length);
        Assert.Equal(2, r.Annotations.Count);
        var e = Assert.Throws<KeyNotFoundException>(() => r.Signal("ECG"));
        Assert.Contains("'ECG'", e.Message);
        Assert.Contains("'X2'", e.Message);
    }

    [Fact]
    public void Round_trip_is_exact_to_half_a_digital_step_with_mixed_rates()
    {
        var rng = new Random(11);
        var eeg = Enumerable.Range(0, 4 * 200).Select(_ => rng.NextDouble() * 400 - 200).ToArray();
        var ecg = Enumerable.Range(0, 4 * 50).Select(_ => rng.NextDouble() * 0.004 - 0.001).ToArray(); // tiny range: fields need many decimals
        var path = Temp("roundtrip.edf");
        try
        {
            var start = new DateTime(2019, 12, 31, 1, 2, 3);
            EdfFile.Write(path, new EdfWriteOptions(start, RecordDuration: 2), [
                new EdfSignalSpec("F3-A2", eeg, 400, -200, 200),
                new EdfSignalSpec("X2", ecg, 100, PhysicalDimension: "V", DigitalMin: -1000, DigitalMax: 1000, Transducer: "ECG electrode"),
            ]);
            var r = EdfFile.Read(path);
            Assert.False(r.Header.IsEdfPlus);
            Assert.Equal("31.12.19", r.Header.StartDate);
            Assert.Equal("01.02.03", r.Header.StartTime);
            Assert.Equal(2, r.Header.RecordCount);
            Assert.Equal(2.0, r.Header.RecordDuration);
            Assert.Equal(["F3-A2", "X2"], r.Signals.Select(s => s.Label));
            Assert.Equal(200, r.SampleRate(r.Signal("F3-A2")));
            Assert.Equal(50, r.SampleRate(r.Signal("X2")));
            Assert.Equal("ECG electrode", r.Signal("X2").Transducer);
            foreach (var (label, want) in new[] { ("F3-A2", eeg), ("X2", ecg) })
            {
                var s = r.Signal(label);
                Assert.True(s.PhysicalMin <= want.Min() && s.PhysicalMax >= want.Max(), $"{label}: range [{s.PhysicalMin}, {s.PhysicalMax}]");
                double half = s.Resolution / 2 * (1 + 1e-9);
                for (int k = 0; k < want.Length; k++) Assert.True(Math.Abs(s.Physical[k] - want[k]) <= half, $"{label}[{k}]: {s.Physical[k]} vs {want[k]}");
                // and a second write of what was read reproduces the same digital samples, hence the same values
                Assert.Equal(s.Physical, s.Physical.Select(v => s.ToPhysical((int)Math.Round((v - s.PhysicalMin) * (s.DigitalMax - s.DigitalMin) / (s.PhysicalMax - s.PhysicalMin) + s.DigitalMin))));
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Values_beyond_the_physical_range_are_clipped_to_the_digital_extremes()
    {
        var path = Temp("clip.edf");
        try
        {
            EdfFile.Write(path, new EdfWriteOptions(new DateTime(2020, 1, 1)), [new EdfSignalSpec("C3", [-500, 0, 500, 10], 4, -100, 100)]);
            Assert.Equal([-100.0, 0, 100, 10], EdfFile.Read(path).Signal("C3").Physical.Select(v => Math.Round(v, 2)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Edf_plus_annotations_round_trip()
    {
        var (o, s) = IsrucFixtures.CsharpWritten();
        var path = Temp("plus.edf");
        try
        {
            EdfFile.Write(path, o, s);
            var r = EdfFile.Read(path);
            Assert.True(r.Header.IsEdfPlus);
            Assert.StartsWith("Startdate 14-MAR-2021", r.Header.Recording);
            Assert.Equal(o.Annotations, r.Annotations);
            Assert.Equal(5, r.AnnotationTal.Count);
            Assert.Equal("+1\x14\x14", r.AnnotationTal[1]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Csharp_writer_output_is_the_file_mne_read()
    {
        // csharp_written.edf was written by this writer (see IsrucFixtures.CsharpWritten) and then read by mne in
        // tools/golden/isruc_fixtures.py; the writer must still produce it byte for byte for mne_read.json to apply.
        var (o, s) = IsrucFixtures.CsharpWritten();
        var path = Temp("again.edf");
        try
        {
            EdfFile.Write(path, o, s);
            Assert.Equal(File.ReadAllBytes(IsrucFixtures.Path("csharp_written.edf")), File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Mne_reads_the_csharp_written_file_as_csharp_does()
    {
        var r = EdfFile.Read(IsrucFixtures.Path("csharp_written.edf"));
        using var doc = JsonDocument.Parse(File.ReadAllText(IsrucFixtures.Path("mne_read.json")));
        var root = doc.RootElement;
        Assert.Equal(["C3-A2", "X2"], root.GetProperty("ch_names").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(200.0, root.GetProperty("sfreq").GetDouble());
        var data = root.GetProperty("data").EnumerateArray().ToArray();
        var scale = new[] { 1e-6, 1e-3 }; // mne gives volts: uV and mV scaled
        for (int c = 0; c < 2; c++)
        {
            var s = r.Signals[c];
            var mne = data[c].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(s.Physical.Length, mne.Length);
            // mne folds the scaling into gain and offset: equal up to rounding, far below one digital step
            for (int k = 0; k < mne.Length; k++) Assert.True(Math.Abs(mne[k] / scale[c] - s.Physical[k]) <= s.Resolution * 1e-6, $"{s.Label}[{k}]");
        }
        var ann = root.GetProperty("annotations").EnumerateArray().ToArray();
        Assert.Equal(r.Annotations.Select(a => (a.Onset, a.Text)), ann.Select(a => (a.GetProperty("onset").GetDouble(), a.GetProperty("text").GetString()!)));
        // mne clips a duration to the end of the recording (0.5 s + 30 s → 4.5 s) and reports none as 0
        Assert.Equal([4.5, 0.0], ann.Select(a => a.GetProperty("duration").GetDouble()));
    }

    [Theory]
    [InlineData("truncated.edf", "data truncated: header says 3 records of 660 bytes, file holds 2.5")]
    [InlineData("bad_numeric.edf", "field 'samples per record' of signal 2 'X2': expected an integer, found 'abc'")]
    [InlineData("bad_header_bytes.edf", "field 'header bytes': expected 256 + 256 × 3 signals = 1024, found 999")]
    [InlineData("bad_tal.edf", "field 'onset' of annotation in record 2: expected '+seconds'")]
    public void Damaged_files_fail_with_one_error_naming_file_and_field(string file, string message)
    {
        var path = IsrucFixtures.Path(file);
        var e = Assert.Throws<InvalidDataException>(() => EdfFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Trailing_bytes_and_short_headers_are_named()
    {
        var good = File.ReadAllBytes(IsrucFixtures.Path("python_written.edf"));
        var path = Temp("damaged.edf");
        try
        {
            File.WriteAllBytes(path, [.. good, .. new byte[165]]);
            Assert.Contains($"{path}: trailing bytes: header says 3 records of 660 bytes, file holds 3.25", Assert.Throws<InvalidDataException>(() => EdfFile.Read(path)).Message);
            File.WriteAllBytes(path, good[..600]);
            Assert.Contains($"{path}: header truncated: the file holds 600 bytes; the header of 3 signals needs 1024", Assert.Throws<InvalidDataException>(() => EdfFile.Read(path)).Message);
            File.WriteAllBytes(path, good[..100]);
            Assert.Contains($"{path}: header truncated: the file holds 100 bytes", Assert.Throws<InvalidDataException>(() => EdfFile.Read(path)).Message);
            var bad = (byte[])good.Clone();
            "12x4    "u8.ToArray().CopyTo(bad, 256 + 16 * 3 + 80 * 3 + 8 * 3); // physical minimum of signal 1
            File.WriteAllBytes(path, bad);
            Assert.Contains("field 'physical minimum' of signal 1 'C3-A2': expected a number, found '12x4'", Assert.Throws<InvalidDataException>(() => EdfFile.Read(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Writer_rejects_what_the_format_cannot_hold()
    {
        var path = Temp("bad.edf");
        var start = new DateTime(2020, 1, 1);
        Assert.Contains("whole number of records", Assert.Throws<ArgumentException>(() => EdfFile.Write(path, new(start), [new EdfSignalSpec("A", new double[7], 2)])).Message);
        Assert.Contains("spans 2 records", Assert.Throws<ArgumentException>(() => EdfFile.Write(path, new(start), [new EdfSignalSpec("A", new double[6], 2), new EdfSignalSpec("B", new double[4], 2)])).Message);
        Assert.Contains("field 'label", Assert.Throws<ArgumentException>(() => EdfFile.Write(path, new(start), [new EdfSignalSpec("a label longer than 16", new double[2], 2)])).Message);
        Assert.False(File.Exists(path));
    }
}
