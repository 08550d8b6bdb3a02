using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using BioXBridge.Models;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BioXBridge.Tests.Models;

/// <summary>Twin of tools/golden/checkpoint_fixtures.py's CheckpointToy: x = Linear(4, 3), blocks.0.fc = Linear(3, 3), bn = BatchNorm1d(3).</summary>
internal sealed class CheckpointToyBlock : Module<Tensor, Tensor>
{
    private readonly Linear fc = Linear(3, 3);
    public CheckpointToyBlock() : base(nameof(CheckpointToyBlock)) => RegisterComponents();
    public override Tensor forward(Tensor x) => fc.call(x);
}

internal sealed class CheckpointToy : Module<Tensor, Tensor>
{
    private readonly Linear x = Linear(4, 3);
    private readonly ModuleList<CheckpointToyBlock> blocks = new(new CheckpointToyBlock());
    private readonly BatchNorm1d bn = BatchNorm1d(3);
    public CheckpointToy() : base(nameof(CheckpointToy)) => RegisterComponents();
    public override Tensor forward(Tensor input) => bn.call(blocks[0].call(x.call(input)));
}

/// <summary>
/// Upstream checkpoints as published (fixtures: tools/golden/checkpoint_fixtures.py, PyTorch 1.13) → manifest →
/// safetensors → strict load, and every way it must fail: one clear InvalidDataException naming the file.
/// </summary>
public class CheckpointTests
{
    internal static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints");
    internal static string Fixture(string name) => Path.Combine(Dir, name);

    /// <summary>HuBERT-ECG at the widths the fixtures use (HuBertEcgConfig.Tiny would make them > 1 MB); same key names, with upstream's extras.</summary>
    internal static readonly HuBertEcgConfig MiniHubert = new(ConvChannels: 8, Hidden: 8, Layers: 2, Heads: 2, FeedForward: 16, PosConvKernel: 4, PosConvGroups: 2,
                                                              MaskedSpecEmbed: true, PretrainingVocabSizes: [10], ClassifierProjSize: 8);

    private static readonly JsonElement Sums = JsonDocument.Parse(File.ReadAllText(Fixture("sums.json"))).RootElement;

    internal static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-ckpt-" + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Every tensor of the module equals (by sum and shape) what Python wrote under <paramref name="sourceKey"/>(name).</summary>
    private static void AssertLoadedAsWritten(Module module, string file, Func<string, string> sourceKey)
    {
        foreach (var (name, t) in module.state_dict())
        {
            var entry = Sums.GetProperty(file).GetProperty(sourceKey(name));
            Assert.Equal(entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), t.shape);
            double expected = entry.GetProperty("sum").GetDouble(), actual = t.to_type(ScalarType.Float64).sum().item<double>();
            Assert.True(Math.Abs(expected - actual) <= 1e-5 * (1 + Math.Abs(expected)), $"{file} {name}: sum {actual}, expected {expected}");
        }
    }

    private static (string Out, ConversionReport Report) Convert(string manifest, string fixture, Module module)
    {
        var output = Path.Combine(TempDir(), "out.safetensors");
        var report = CheckpointConverter.Convert(ModelManifest.Find(manifest), Fixture(fixture), output, StrictLoader.Expected(module));
        Assert.True(File.Exists(output));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!, "*.tmp"));
        return (output, report);
    }

    [Fact]
    public void LabramStyleNestedStudentCheckpointConvertsAndLoads()
    {
        using var toy = new CheckpointToy();
        var (output, report) = Convert("labram-base", "labram_style.pt", toy);
        Assert.Equal("model", report.RootKey);
        Assert.Equal(9, report.Written);
        Assert.Contains(report.Dropped, d => d.StartsWith("student.blocks.0.attn.relative_position_index"));
        Assert.Contains(report.Dropped, d => d.StartsWith("student.mask_token"));
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("args (argparse.Namespace)"));
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("epoch"));
        Assert.Equal(9, StrictLoader.Load(toy, output));
        AssertLoadedAsWritten(toy, "labram_style.pt", k => "model/student." + k);
    }

    [Fact]
    public void LabramPretrainingLayoutWithTopLevelHeadsConvertsAndLoads()
    {
        // the published labram-base.pth holds, beside 'student.*', the pre-training projection head, lm head and logit scale
        using var toy = new CheckpointToy();
        var tensors = toy.state_dict().Select(kv => new KeyValuePair<string, RawTensor>("student." + kv.Key, Raw(kv.Value))).ToList();
        foreach (var (name, shape) in new (string, long[])[] { ("student.mask_token", [1, 1, 4]), ("student.lm_head.weight", [8, 4]),
                                                               ("projection_head.0.weight", [4, 4]), ("projection_head.0.bias", [4]), ("logit_scale", []) })
            tensors.Add(new(name, Raw(zeros(shape))));
        var input = Path.Combine(TempDir(), "labram-base-layout.safetensors");
        SafetensorsFile.Write(input, tensors);
        var output = Path.Combine(TempDir(), "out.safetensors");
        var report = CheckpointConverter.Convert(ModelManifest.Find("labram-base"), input, output, StrictLoader.Expected(toy));
        Assert.Equal(9, report.Written);
        foreach (var extra in new[] { "projection_head.0.weight", "projection_head.0.bias", "logit_scale" })
            Assert.Contains(report.Dropped, d => d.StartsWith(extra + " (not under student.)"));
        Assert.Contains(report.Dropped, d => d.StartsWith("student.lm_head.weight"));
        Assert.Equal(9, StrictLoader.Load(toy, output));
    }

    private static RawTensor Raw(Tensor t) => new(StrictLoader.DTypeName(t.dtype), t.shape, t.contiguous().bytes.ToArray());

    [Fact]
    public void PapageiStyleFlatModulePrefixedCheckpointConvertsAndLoads()
    {
        using var toy = new CheckpointToy();
        var (output, report) = Convert("papagei-s", "papagei_style.pt", toy);
        Assert.Equal("", report.RootKey);
        Assert.Empty(report.Dropped);
        StrictLoader.Load(toy, output);
        AssertLoadedAsWritten(toy, "papagei_style.pt", k => "module." + k);
        // the converted file is ordinary safetensors: PyBridge reads it too
        using var again = new CheckpointToy();
        again.load_safetensors(output);
        Assert.Equal(0, (again.state_dict()["x.weight"] - toy.state_dict()["x.weight"]).abs().max().item<float>());
    }

    [Theory]
    [InlineData("hubert_ecg_g_v.pt", false)]
    [InlineData("hubert_ecg_param.pt", true)]
    public void HubertEcgBothWeightNormStylesConvertAndLoad(string fixture, bool parametrized)
    {
        using var model = new HuBertEcg(MiniHubert);
        var (output, report) = Convert("hubert-ecg-small", fixture, model);
        Assert.Equal("model_state_dict", report.RootKey);
        Assert.Equal(parametrized ? 2 : 0, report.Renamed.Count);
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("config (__main__.TinyHubertConfig)"));
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("optimizer (dict"));
        Assert.Contains(report.SkippedNonTensors, s => s.StartsWith("best_loss (numpy.core.multiarray.scalar)"));
        Assert.Empty(report.Dropped); // masked_spec_embed and the pre-training heads are part of the C# port
        StrictLoader.Load(model, output);
        AssertLoadedAsWritten(model, fixture, k => "model_state_dict/" + (parametrized
            ? k.Replace(".weight_g", ".parametrizations.weight.original0").Replace(".weight_v", ".parametrizations.weight.original1")
            : k));
        model.eval();
        using var _ = no_grad();
        var y = model.call(randn(2, 400));
        Assert.Equal(new long[] { 2, MiniHubert.Tokens(400), 8 }, y.shape);
        Assert.False(y.isnan().any().item<bool>());
    }

    [Fact]
    public void WrongShapeIsOneErrorWithExpectedAndFoundShapesAndNothingIsLoaded()
    {
        using var toy = new CheckpointToy();
        var before = toy.state_dict()["bn.weight"].clone();
        var e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, Fixture("wrong_shape.pt")));
        Assert.StartsWith(Fixture("wrong_shape.pt"), e.Message);
        Assert.Contains("wrong shape x.weight: expected [3, 4], found [3, 5]", e.Message);
        Assert.Contains("1 problem", e.Message);
        Assert.True(before.allclose(toy.state_dict()["bn.weight"], 0, 0), "bn.weight was loaded although x.weight did not match");
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListedTogether()
    {
        using var toy = new CheckpointToy();
        var before = toy.state_dict()["x.bias"].clone();
        var e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, Fixture("wrong_keys.pt")));
        Assert.StartsWith(Fixture("wrong_keys.pt"), e.Message);
        Assert.Contains("missing     x.weight: expected [3, 4] F32", e.Message);
        Assert.Contains("unexpected  y.weight: found [3, 4] F32", e.Message);
        Assert.Contains("2 problems", e.Message);
        Assert.True(before.allclose(toy.state_dict()["x.bias"], 0, 0));
    }

    [Fact]
    public void ConversionCheckedAgainstTheWrongModuleWritesNothing()
    {
        using var model = new HuBertEcg(MiniHubert);
        var output = Path.Combine(TempDir(), "out.safetensors");
        var e = Assert.Throws<InvalidDataException>(() =>
            CheckpointConverter.Convert(ModelManifest.Find("papagei-s"), Fixture("papagei_style.pt"), output, StrictLoader.Expected(model)));
        Assert.Contains("missing     encoder.layers.0.attention.q_proj.weight", e.Message);
        Assert.Contains("unexpected  blocks.0.fc.weight", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void TruncatedFileIsAClearErrorNamingTheFile()
    {
        var dir = TempDir();
        var bytes = File.ReadAllBytes(Fixture("labram_style.pt"));
        var truncated = Path.Combine(dir, "truncated.pt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        using var toy = new CheckpointToy();
        var e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, truncated));
        Assert.StartsWith(truncated + ": corrupted or truncated PyTorch checkpoint", e.Message);
        var output = Path.Combine(dir, "out.safetensors");
        Assert.Throws<InvalidDataException>(() => CheckpointConverter.Convert(ModelManifest.Find("labram-base"), truncated, output));
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFileSystemEntries(dir));

        var st = Path.Combine(dir, "good.safetensors");
        CheckpointConverter.Convert(ModelManifest.Find("papagei-s"), Fixture("papagei_style.pt"), st, StrictLoader.Expected(toy));
        var stBytes = File.ReadAllBytes(st);
        var stTruncated = Path.Combine(dir, "truncated.safetensors");
        File.WriteAllBytes(stTruncated, stBytes[..(stBytes.Length - 10)]);
        e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, stTruncated));
        Assert.StartsWith(stTruncated + ": corrupted or truncated safetensors file", e.Message);
    }

    [Fact]
    public void CorruptedZipIsAClearErrorNamingTheFile()
    {
        var dir = TempDir();
        using var toy = new CheckpointToy();
        var bytes = File.ReadAllBytes(Fixture("papagei_style.pt"));

        // 1. the central directory's signatures destroyed
        var noDirectory = (byte[])bytes.Clone();
        for (int i = 0; i + 4 <= noDirectory.Length; i++)
            if (noDirectory[i] == 0x50 && noDirectory[i + 1] == 0x4B && noDirectory[i + 2] is 0x01 or 0x05 or 0x06) noDirectory[i + 1] = 0;
        var p1 = Path.Combine(dir, "no-central-directory.pt");
        File.WriteAllBytes(p1, noDirectory);
        var e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, p1));
        Assert.StartsWith(p1 + ": corrupted or truncated PyTorch checkpoint", e.Message);

        // 2. data.pkl's bytes (stored uncompressed) overwritten
        var badPickle = (byte[])bytes.Clone();
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(badPickle.AsSpan(26)), extra = BinaryPrimitives.ReadUInt16LittleEndian(badPickle.AsSpan(28));
        Assert.EndsWith("data.pkl", Encoding.ASCII.GetString(badPickle, 30, nameLength));
        badPickle.AsSpan(30 + nameLength + extra, 16).Fill(0xFF);
        var p2 = Path.Combine(dir, "bad-pickle.pt");
        File.WriteAllBytes(p2, badPickle);
        e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, p2));
        Assert.StartsWith(p2 + ": ", e.Message);
        Assert.Contains("corrupted", e.Message);
    }

    [Fact]
    public void LegacyAndForeignFilesAreRefusedWithAReason()
    {
        using var toy = new CheckpointToy();
        var e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, Fixture("legacy.pt")));
        Assert.StartsWith(Fixture("legacy.pt") + ": saved in PyTorch's legacy", e.Message);
        var text = Path.Combine(TempDir(), "notes.pt");
        File.WriteAllText(text, "hello, not a checkpoint");
        e = Assert.Throws<InvalidDataException>(() => StrictLoader.Load(toy, text));
        Assert.StartsWith(text + ": not a PyTorch checkpoint", e.Message);
    }

    [Fact]
    public void StrictLoaderReadsAFlatTorchSaveFileDirectly()
    {
        using var toy = new CheckpointToy();
        var dir = TempDir();
        var pt = Path.Combine(dir, "toy.pt");
        using (var source = new CheckpointToy()) { source.save_py(pt); }
        Assert.Equal(9, StrictLoader.Load(toy, pt));
    }

    [Theory]
    [InlineData("protocol4.pt")] // pickle protocol 4 opcodes
    [InlineData("strided.pt")]   // a transposed view and two offset views into one shared storage
    public void NonDefaultPicklesAndStridedViewsLoadAsWritten(string fixture)
    {
        using var toy = new CheckpointToy();
        Assert.Equal(9, StrictLoader.Load(toy, Fixture(fixture)));
        AssertLoadedAsWritten(toy, fixture, k => k);
        if (fixture == "strided.pt")
        {
            // sums cannot see a transposition: check x.weight element by element against the row-major source
            using var reference = new CheckpointToy();
            StrictLoader.Load(reference, Fixture("protocol4.pt"));
            Assert.True(reference.state_dict()["x.weight"].allclose(toy.state_dict()["x.weight"], 0, 0));
        }
    }

    [Fact]
    public void ConverterRefusesToOverwrite()
    {
        using var toy = new CheckpointToy();
        var output = Path.Combine(TempDir(), "out.safetensors");
        File.WriteAllText(output, "keep me");
        var e = Assert.Throws<IOException>(() =>
            CheckpointConverter.Convert(ModelManifest.Find("papagei-s"), Fixture("papagei_style.pt"), output, StrictLoader.Expected(toy)));
        Assert.Contains("already exists", e.Message);
        Assert.Equal("keep me", File.ReadAllText(output));
    }

    [Fact]
    public void ManifestsParseAndPinnedTensorListsMatchTheCSharpModels()
    {
        foreach (var name in new[] { "labram-base", "hubert-ecg-small", "papagei-s", "normwear" })
        {
            var m = ModelManifest.Find(name);
            Assert.Equal(name, m.Name);
            Assert.False(m.Source.Verified);
            Assert.Null(m.Source.Sha256);
            Assert.Contains("://", m.Source.WeightsUrl);
        }
        Assert.Equal(["labram-base", "hubert-ecg-small", "papagei-s", "normwear"], ModelZoo.All.Select(e => e.Name));
        foreach (var entry in ModelZoo.All)
        {
            var pinned = ModelManifest.Find(entry.Name).ExpectedTensors;
            Assert.NotNull(pinned);
            using var full = entry.Full();
            var actual = StrictLoader.Expected(full);
            // regenerate with: bioxbridge models manifest-keys --model <name> --write
            Assert.Equal(actual.Select(t => $"{t.Name} {RawTensor.FormatShape(t.Shape)} {t.Dtype}"),
                         pinned!.Select(t => $"{t.Name} {RawTensor.FormatShape(t.Shape)} {t.Dtype}"));
        }
    }

    [Fact]
    public void LayoutAppliesKeepStripRenameDropInOrder()
    {
        var layout = new ContainerLayout
        {
            KeepPrefixes = ["student."],
            StripPrefixes = ["student.", "module."],
            Renames = [new(@"\.parametrizations\.weight\.original0$", ".weight_g")],
            Drop = ["relative_position_index$"],
        };
        var (mapped, dropped, renamed) = CheckpointConverter.ApplyLayout(layout,
            ["student.module.a.parametrizations.weight.original0", "teacher.a.weight", "student.b.relative_position_index"], "test");
        Assert.Equal(["a.weight_g"], mapped.Select(m => m.Value));
        Assert.Equal(2, dropped.Count);
        Assert.Single(renamed);
        Assert.Throws<InvalidDataException>(() => CheckpointConverter.ApplyLayout(new ContainerLayout { StripPrefixes = ["module."] }, ["module.a", "a"], "test"));
    }
}
