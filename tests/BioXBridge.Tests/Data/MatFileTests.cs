using System.Text.Json;
using BioXBridge.Data;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>MAT Level-5 reader against files scipy.io.savemat and a hand-made struct writer produced
/// (tools/golden/isruc_fixtures.py); every element of the channel variables is recomputed from the formula they hold.</summary>
public class MatFileTests
{
    static void AssertChannel(MatArray a, int c, int rows, int cols, string cls)
    {
        Assert.Equal([rows, cols], a.Dims);
        Assert.Equal(cls, a.Class);
        for (int i = 0; i < rows; i++)
        {
            var row = a.Row(i);
            for (int j = 0; j < cols; j++) Assert.Equal(IsrucFixtures.MatValue(c, i, j), row[j]);
        }
    }

    [Fact]
    public void Compressed_file_holds_the_papers_seven_derivations()
    {
        var m = MatFile.Read(IsrucFixtures.Path("subject1_compressed.mat"));
        Assert.Equal(IsrucFixtures.Channels.Order(), m.Keys.Order());
        for (int c = 0; c < 7; c++)
            AssertChannel(m[IsrucFixtures.Channels[c]], c, 2, 6000, c == 6 ? "mxSINGLE_CLASS" : "mxDOUBLE_CLASS");
        Assert.Empty(m.Unsupported);
    }

    [Fact]
    public void Uncompressed_file_gives_the_same_values_and_column_major_layout()
    {
        var m = MatFile.Read(IsrucFixtures.Path("subject1_uncompressed.mat"));
        AssertChannel(m["F3_A2"], 0, 2, 6000, "mxSINGLE_CLASS");
        AssertChannel(m["X2"], 6, 2, 1000, "mxDOUBLE_CLASS");
        var x2 = m["X2"];
        Assert.Equal(IsrucFixtures.MatValue(6, 1, 3), x2[1, 3]);
        Assert.Equal(IsrucFixtures.MatValue(6, 1, 3), x2.ColumnMajor[1 + 3 * 2]);
        Assert.Equal(x2.Row(1), x2.ToRows()[1]);
    }

    [Fact]
    public void Awkward_doubles_and_integer_classes_match_what_python_wrote_bit_for_bit()
    {
        var m = MatFile.Read(IsrucFixtures.Path("subject1_uncompressed.mat"));
        using var doc = JsonDocument.Parse(File.ReadAllText(IsrucFixtures.Path("mat_expected.json")));
        foreach (var v in doc.RootElement.EnumerateObject())
        {
            var a = m[v.Name];
            Assert.Equal(v.Value.GetProperty("dims").EnumerateArray().Select(d => d.GetInt32()), a.Dims);
            var want = v.Value.GetProperty("column_major").EnumerateArray().Select(d => d.GetDouble()).ToArray();
            Assert.Equal(want.Select(BitConverter.DoubleToInt64Bits), a.ColumnMajor.Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.Equal("mxINT16_CLASS", m["i16"].Class);
        Assert.Equal("mxUINT8_CLASS", m["u8"].Class);
        Assert.Equal("mxINT64_CLASS", m["i64"].Class);
        Assert.Equal([2, 3, 4], m["v3d"].Dims);
    }

    [Theory]
    [InlineData("cell", "mxCELL_CLASS")]
    [InlineData("st", "mxSTRUCT_CLASS")]
    [InlineData("txt", "mxCHAR_CLASS")]
    [InlineData("sp", "mxSPARSE_CLASS")]
    [InlineData("cplx", "complex")]
    public void Unsupported_kinds_fail_only_when_asked_for(string name, string kind)
    {
        var path = IsrucFixtures.Path("subject1_uncompressed.mat");
        var m = MatFile.Read(path);
        Assert.True(m.ContainsKey("F3_A2"));
        Assert.False(m.ContainsKey(name));
        var e = Assert.Throws<NotSupportedException>(() => m[name]);
        Assert.Contains(path, e.Message);
        Assert.Contains($"variable '{name}'", e.Message);
        Assert.Contains(kind, e.Message);
    }

    [Fact]
    public void A_missing_variable_names_the_file_and_lists_what_is_there()
    {
        var path = IsrucFixtures.Path("subject1_compressed.mat");
        var e = Assert.Throws<KeyNotFoundException>(() => MatFile.Read(path)["C3_M2"]);
        Assert.Contains(path, e.Message);
        Assert.Contains("'C3_M2'", e.Message);
        Assert.Contains("'C3_A2'", e.Message);
    }

    [Fact]
    public void Only_the_asked_for_variables_are_decoded()
    {
        foreach (var f in new[] { "subject1_compressed.mat", "subject1_uncompressed.mat" })
        {
            var m = MatFile.Read(IsrucFixtures.Path(f), ["X2", "F3_A2"]);
            Assert.Equal(["F3_A2", "X2"], m.Keys.Order());
            AssertChannel(m["F3_A2"], 0, 2, 6000, f.Contains("uncomp") ? "mxSINGLE_CLASS" : "mxDOUBLE_CLASS");
        }
    }

    [Theory]
    [InlineData("matlab_style.mat")]
    [InlineData("matlab_style_be.mat")]
    public void Doubles_stored_as_small_integers_in_either_byte_order_are_widened(string file)
    {
        var m = MatFile.Read(IsrucFixtures.Path(file));
        Assert.Equal([-3.0, 0, 7, 32000, -32000, 1], m["dbl_as_i16"].ColumnMajor);
        Assert.Equal([2, 3], m["dbl_as_i16"].Dims);
        Assert.Equal([0.0, 32000, 1], m["dbl_as_i16"].Row(1)); // scipy.io.loadmat reads [[-3, 7, -32000], [0, 32000, 1]]
        Assert.Equal([1.0, 2, 3, 4], m["u8"].ColumnMajor);
        Assert.Equal([1.5, -0.25], m["s"].ColumnMajor);
        Assert.Equal("mxSINGLE_CLASS", m["s"].Class);
        Assert.Equal([0.5, 1e-3, -7.0], m["z"].ColumnMajor);
    }

    [Theory]
    [InlineData("truncated.mat", "variable 'F3_A2'", "truncated")]
    [InlineData("truncated_compressed.mat", "variable 'F3_A2'", "compressed")]
    [InlineData("bad_tag.mat", "element at byte 128", "data type 99 (no such mi type); expected miMATRIX (14) or miCOMPRESSED (15)")]
    [InlineData("bad_real_type.mat", "variable 'bad'", "real part: unknown data type 8")]
    [InlineData("bad_count.mat", "variable 'short'", "real part holds 5 values; dimensions [2, 3] need 6")]
    [InlineData("bad_header.mat", "endian indicator", "found 'XX'")]
    [InlineData("v73.mat", "header", "MATLAB 7.3 (HDF5)")]
    public void Damaged_files_fail_with_one_error_naming_file_and_field(string file, string field, string what)
    {
        var path = IsrucFixtures.Path(file);
        var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void A_file_shorter_than_the_header_is_rejected()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"short_{Guid.NewGuid():N}.mat");
        File.WriteAllBytes(path, new byte[40]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
            Assert.Contains($"{path}: header: file holds 40 bytes", e.Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A 16-MB zero array compressed about 1000:1 (scipy) reads; the same element whose inner tag claims 4 GB is
    /// refused from its 15-kB payload before anything of that size is allocated (tools/golden/mat_inflate_fixtures.py).</summary>
    [Fact]
    public void A_compressed_element_may_inflate_as_far_as_deflate_can_and_no_further()
    {
        var zeros = MatFile.Read(IsrucFixtures.Path("zeros_compressed.mat"))["zeros"];
        Assert.Equal([2000, 1000], zeros.Dims);
        Assert.All(zeros.ColumnMajor, v => Assert.Equal(0.0, v));

        var path = IsrucFixtures.Path("bomb.mat");
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "the refusal allocated what the lying tag claims");
        Assert.Equal($"{path}: variable 'zeros' (element at byte 128): miMATRIX tag says 4294967040 bytes, more than 15611 compressed bytes " +
            "can inflate to (deflate reaches at most 1032:1; corrupt or hostile compressed element)", e.Message);
    }
}
