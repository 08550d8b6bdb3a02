using System.Diagnostics;
using System.Text;
using BioXBridge.Data;
using BioXBridge.Experiments;
using BioXBridge.Models;
using Xunit;
using Xunit.Abstractions;

namespace BioXBridge.Tests.Fuzz;

/// <summary>
/// Seeded mutation fuzzing of every hand-written reader: valid files (committed fixtures or written by the kit's own
/// writers) are mutated by <see cref="Mutator"/> and parsed. The contract under test is each reader's documented one:
/// a damaged file is an <see cref="InvalidDataException"/> whose message names the file, within
/// <see cref="CaseLimit"/>. Anything else escaping (IndexOutOfRange, Overflow, Format, EndOfStream, OutOfMemory…)
/// or a case that runs past the limit is a finding. <c>BIOXBRIDGE_FUZZ_CASES</c> sets the cases per parser.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(2);

    /// <summary>2,000 per parser in CI (fixed seeds, so a CI failure reproduces locally); more from the environment.</summary>
    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable("BIOXBRIDGE_FUZZ_CASES"), out var n) && n > 0 ? n : 2000;

    static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>
    /// Runs <paramref name="cases"/> mutations of <paramref name="seeds"/> through <paramref name="parse"/> (which gets
    /// a temp file holding the mutated bytes) and fails listing each distinct finding (exception type and throwing
    /// frame) with the first case seed that produced it.
    /// </summary>
    void Fuzz(string parser, IReadOnlyList<byte[]> seeds, Action<string> parse, bool text = false, int? cases = null)
    {
        int n = cases ?? Cases;
        var dir = Directory.CreateTempSubdirectory("bxb-fuzz-").FullName;
        var findings = new Dictionary<string, (int Seed, string Detail)>();
        var sw = Stopwatch.StartNew();
        int rejected = 0, current = 0;
        long started = Stopwatch.GetTimestamp();
        string? hang = null;
        try
        {
            // The cases run one after another on one worker thread while this one watches the clock of the current case:
            // a thread per case would wait for a free core at every case on a loaded machine (6× the time in CI).
            var worker = Task.Factory.StartNew(() =>
            {
                for (int i = 0; i < n; i++)
                {
                    int caseSeed = CaseSeed(parser, i);
                    var seed = seeds[i % seeds.Count];
                    var bytes = Case(seed, caseSeed, text);
                    var path = Path.Combine(dir, $"case{i % 8}.bin");
                    File.WriteAllBytes(path, bytes);
                    Volatile.Write(ref current, i);
                    Volatile.Write(ref started, Stopwatch.GetTimestamp());
                    var why = Check(path, parse);
                    if (why is null) continue;
                    if (why == "") { rejected++; continue; }
                    // Distinct = exception type and throwing frame; the message (which quotes the damaged bytes) is detail.
                    var key = why.Split(": ", 2)[0];
                    if (!findings.ContainsKey(key)) findings[key] = (caseSeed, $"{bytes.Length} bytes from seed file {i % seeds.Count}: {why}");
                }
            }, TaskCreationOptions.LongRunning);
            while (!worker.Wait(50))
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref started)) > CaseLimit)
                {
                    int i = Volatile.Read(ref current);
                    hang = $"case seed {CaseSeed(parser, i)} (seed file {i % seeds.Count}): still running after {CaseLimit.TotalSeconds} s";
                    break;
                }
            if (hang is null) worker.GetAwaiter().GetResult();
        }
        finally { if (hang is null) Directory.Delete(dir, recursive: true); }
        Assert.True(hang is null, $"{parser}: a hang: {hang}");
        output.WriteLine($"{parser}: {n} cases, {rejected} rejected as InvalidDataException, {findings.Count} distinct findings, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(findings.Count == 0, $"{parser}: {findings.Count} distinct findings in {n} cases:\n" +
            string.Join("\n", findings.Select(f => $"  case seed {f.Value.Seed} ({f.Value.Detail})")));
    }

    /// <summary>Stable across processes (string.GetHashCode is not): FNV-1a of the parser's name, then the case index.</summary>
    internal static int CaseSeed(string parser, int i)
    {
        uint h = 2166136261;
        foreach (char c in parser) h = (h ^ c) * 16777619;
        return (int)((h ^ (uint)i * 2654435761u) & 0x7FFFFFFF);
    }

    internal static byte[] Case(byte[] seed, int caseSeed, bool text)
    {
        if (caseSeed % 10 == 0) return Mutator.Truncate(seed, caseSeed);
        return text ? Encoding.UTF8.GetBytes(Mutator.MutateText(Encoding.UTF8.GetString(seed), caseSeed)) : Mutator.Mutate(seed, caseSeed);
    }

    /// <summary>Null when the parser accepted the file, "" when it refused it as the contract says, else the finding.</summary>
    internal static string? Check(string path, Action<string> parse)
    {
        try
        {
            parse(path);
            return null;
        }
        catch (Exception e)
        {
            if (e is InvalidDataException && e.Message.Contains(path, StringComparison.Ordinal)) return "";
            var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("BioXBridge") == true);
            var where = frame?.GetMethod() is { } m ? $"{m.DeclaringType?.Name}.{m.Name}" : "?";
            return e is InvalidDataException
                ? $"InvalidDataException not naming the file from {where}: {Short(e.Message)}"
                : $"{e.GetType().Name} from {where}: {Short(e.Message)}";
        }
    }

    static string Short(string s) => s.Length <= 160 ? s : s[..160] + "…";

    [Fact]
    public void NpyFiles()
    {
        var dir = Directory.CreateTempSubdirectory("bxb-fuzz-seed-").FullName;
        var a = Path.Combine(dir, "a.npy");
        var b = Path.Combine(dir, "b.npy");
        BioXBridge.Data.Npy.Write<float>(a, Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray(), 3, 4);
        BioXBridge.Data.Npy.Write<long>(b, new long[] { 1, -2, 3 }, 3);
        var seeds = new[] { File.ReadAllBytes(a), File.ReadAllBytes(b), File.ReadAllBytes(Fixture("bridge", "release_init_A.npy")) };
        Directory.Delete(dir, true);
        Fuzz("npy", seeds, p => Npy.Read(p));
    }

    [Fact]
    public void EdfFiles() =>
        Fuzz("edf", [File.ReadAllBytes(Fixture("isruc", "csharp_written.edf")), File.ReadAllBytes(Fixture("isruc", "python_written.edf"))],
            p => EdfFile.Read(p));

    [Fact]
    public void MatUncompressed() => Fuzz("mat", [File.ReadAllBytes(Fixture("isruc", "matlab_style.mat")), File.ReadAllBytes(Fixture("isruc", "matlab_style_be.mat"))],
        p => MatFile.Read(p));

    [Fact]
    public void MatCompressed() => Fuzz("mat-compressed", [File.ReadAllBytes(Fixture("isruc", "subject1_compressed.mat"))], p => MatFile.Read(p));

    [Fact]
    public void WesadPickle() => Fuzz("wesad-pkl", [File.ReadAllBytes(Fixture("datasets", "wesad", "S7", "S7.pkl"))], p => WesadReader.Read(p));

    [Fact]
    public void TorchCheckpointZip() =>
        Fuzz("torch-zip", [File.ReadAllBytes(Fixture("checkpoints", "strided.pt")), File.ReadAllBytes(Fixture("checkpoints", "protocol4.pt"))],
            p => { using var c = TorchCheckpoint.Open(p); });

    [Fact]
    public void Safetensors()
    {
        var dir = Directory.CreateTempSubdirectory("bxb-fuzz-seed-").FullName;
        var path = Path.Combine(dir, "w.safetensors");
        static byte[] F32(params float[] v) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
        SafetensorsFile.Write(path, [new("a.weight", new RawTensor("F32", [2, 3], F32(1, 2, 3, 4, 5, 6))), new("b", new RawTensor("I64", [2], new byte[16]))],
            new Dictionary<string, string> { ["format"] = "pt" });
        var seed = File.ReadAllBytes(path);
        Directory.Delete(dir, true);
        Fuzz("safetensors", [seed], p => SafetensorsFile.Read(p));
    }

    [Fact]
    public void FogCsv()
    {
        // The first 20 rows of a committed task file: enough for every column, small enough for 2,000 cases.
        var lines = File.ReadLines(Fixture("datasets", "fog", "Filtered Data", "003", "task_1.txt")).Take(20);
        var seed = Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        Fuzz("fog-csv", [seed], p => FogReader.Read(p, "003"), text: true);
    }

    [Fact]
    public void SweepFiles()
    {
        var root = RepoConfigs();
        var seeds = Directory.GetFiles(Path.Combine(root, "sweeps"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Fuzz("sweep-json", seeds, p => SweepFile.Parse(File.ReadAllText(p), p), text: true);
    }

    [Fact]
    public void DirectionConfigs()
    {
        var seeds = Directory.GetFiles(Path.Combine(RepoConfigs(), "directions"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Fuzz("direction-json", seeds, p => DirectionFiles.Load(p), text: true);
    }

    [Fact]
    public void TrainingCheckpoints()
    {
        var dir = Directory.CreateTempSubdirectory("bxb-fuzz-seed-").FullName;
        var path = Path.Combine(dir, "c.ckpt");
        using (var w = TorchSharp.torch.arange(6, TorchSharp.torch.float32).reshape(2, 3))
        using (var steps = TorchSharp.torch.tensor(new long[] { 7 }))
            new TrainingCheckpoint { Fingerprint = "fuzz", Epoch = 2, NextSample = 16, History = [new EpochLog(1, 0.5, 0.25)] }
                .Save(path, [("w", w), ("adam.steps", steps)]);
        var seed = File.ReadAllBytes(path);
        Directory.Delete(dir, true);
        // The header is JSON inside a binary file: half the cases edit it as text, which reaches the shape/offset fields.
        Fuzz("training-ckpt", [seed], p => { foreach (var t in TrainingCheckpoint.Load(p).Tensors.Values) t.Dispose(); });
        Fuzz("training-ckpt-text", [seed], p => { foreach (var t in TrainingCheckpoint.Load(p).Tensors.Values) t.Dispose(); }, text: true);
    }

    [Fact]
    public void SplitManifests()
    {
        var root = Path.GetDirectoryName(RepoConfigs())!;
        var seed = File.ReadAllBytes(Path.Combine(root, "data-manifests", "splits", "wesad-subjectwise.json"));
        string[] subjects = ["S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S13", "S14", "S15", "S16", "S17"];
        Fuzz("split-manifest", [seed], p => SplitManifest.Read(p, subjects), text: true);
    }

    [Fact]
    public void DatasetManifests()
    {
        var root = Path.GetDirectoryName(RepoConfigs())!;
        var seeds = Directory.GetFiles(Path.Combine(root, "data-manifests", "datasets"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Fuzz("dataset-manifest", seeds, p => BioXBridge.Data.Fetch.DatasetManifest.Load(p), text: true);
    }

    /// <summary>A loaded manifest is used the way conversion uses it (layout regexes, expected tensors, written back), so a
    /// field that parses as null or nonsense surfaces here rather than in the middle of a conversion.</summary>
    [Fact]
    public void ModelManifests()
    {
        var root = Path.GetDirectoryName(RepoConfigs())!;
        var seeds = Directory.GetFiles(Path.Combine(root, "data-manifests", "models"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Fuzz("model-manifest", seeds, p =>
        {
            var m = ModelManifest.Load(p);
            _ = ModelManifest.FromJson(m.ToJson(), p);
            _ = CheckpointConverter.ApplyLayout(m.Container, ["model.blocks.0.attn.qkv.weight", "student.head.bias"], p);
            if (m.ExpectedTensors is { } expected) CheckpointConverter.Check(p, "fuzz", expected, expected.Select(t => (t.Name, t.Shape, t.Dtype)));
        }, text: true);
    }

    [Fact]
    public void DataLockFiles()
    {
        var root = Directory.CreateTempSubdirectory("bxb-fuzz-lock-").FullName;
        try
        {
            var seedLock = new BioXBridge.Data.Fetch.LockFile();
            seedLock.Set(new() { Dataset = "wesad", File = "WESAD.zip", Url = "https://example.org/WESAD.zip", SizeBytes = 2_000_000_000,
                Sha256 = new string('a', 64), FetchedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), ExtractedTo = "wesad" });
            seedLock.Set(new() { Dataset = "fog", File = "fog.zip", Url = "https://example.org/fog.zip", SizeBytes = 12,
                Sha256 = new string('b', 64), FetchedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) });
            seedLock.Save(root);
            var seed = File.ReadAllBytes(BioXBridge.Data.Fetch.LockFile.PathIn(root));
            // The lock is found by folder: each case is copied to the name the fetcher reads in a folder named after the
            // case (so an error naming the lock names the case), then looked up and saved again as data fetch does.
            Fuzz("data-lock", [seed], p =>
            {
                var caseRoot = Directory.CreateDirectory(p + ".root").FullName;
                File.Copy(p, BioXBridge.Data.Fetch.LockFile.PathIn(caseRoot), overwrite: true);
                var lf = BioXBridge.Data.Fetch.LockFile.Load(caseRoot);
                _ = lf.Find("wesad", "WESAD.zip");
                lf.Save(caseRoot);
            }, text: true);
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>The repository's configs/ folder, found upward from the test binaries.</summary>
    static string RepoConfigs()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "configs", "sweeps"))) return Path.Combine(d.FullName, "configs");
        throw new DirectoryNotFoundException("configs/ not found above " + AppContext.BaseDirectory);
    }
}
