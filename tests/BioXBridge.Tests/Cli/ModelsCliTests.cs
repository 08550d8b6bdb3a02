using System.Text.Json;
using BioXBridge.Models;
using BioXBridge.Tests.Models;
using Xunit;

namespace BioXBridge.Tests.Cli;

/// <summary><c>bioxbridge models …</c> as a user meets it: a child process, its exit code, its one error line, what it left on disk.</summary>
public class ModelsCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    private static void AssertOneErrorLine(string err, string contains)
    {
        Assert.StartsWith("error: ", err);
        Assert.Contains(contains, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void InfoListsTheRegisteredModelsWithCounts()
    {
        var (code, stdout, err) = Cli("models", "info");
        Assert.True(code == 0, err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ModelZoo.All.Count, lines.Length);
        foreach (var entry in ModelZoo.All)
        {
            long count;
            using (var m = entry.Full()) count = ZooEntry.CountParameters(m);
            var line = lines.Single(l => l.StartsWith(entry.Name + " "));
            Assert.Matches($@"^{entry.Name}\s+{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters .*counts the ", line);
        }
        Assert.Contains(lines, l => l.StartsWith("hubert-ecg-small "));
        Assert.Contains(lines, l => l.StartsWith("papagei-s "));
    }

    [Fact]
    public void HelpForModelsAndEachSubCommand()
    {
        var (code, stdout, _) = Cli("models", "--help");
        Assert.Equal(0, code);
        foreach (var s in new[] { "info", "convert", "manifest-keys" }) Assert.Contains(s, stdout);
        (code, stdout, _) = Cli("models", "convert", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "--manifest", "--in", "--out" }) Assert.Contains(o, stdout);
        Assert.Equal(0, Cli("models", "info", "--help").Code);
        Assert.Equal(0, Cli("models", "manifest-keys", "--help").Code);
        Assert.Contains("models", Cli("--help").Out);
    }

    [Fact]
    public void UsageErrorsExitTwoWithOneLine()
    {
        var (code, _, err) = Cli("models", "frobnicate");
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "unknown sub-command 'frobnicate'");
        (code, _, err) = Cli("models", "convert", "--manifest", "papagei-s", "--out", "x.safetensors");
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "option '--in' is required");
        var dir = CheckpointTests.TempDir();
        (code, _, err) = Cli("models", "convert", "--manifest", "no-such-model", "--in", CheckpointTests.Fixture("papagei_style.pt"), "--out", Path.Combine(dir, "o.safetensors"));
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "model manifest 'no-such-model' not found");
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void ConvertRefusesAnExistingOutputAndLeavesItUntouched()
    {
        var dir = CheckpointTests.TempDir();
        var output = Path.Combine(dir, "exists.safetensors");
        File.WriteAllText(output, "keep me");
        var (code, _, err) = Cli("models", "convert", "--manifest", "papagei-s", "--in", CheckpointTests.Fixture("papagei_style.pt"), "--out", output);
        Assert.Equal(1, code);
        AssertOneErrorLine(err, "already exists");
        Assert.Equal("keep me", File.ReadAllText(output));
        Assert.Single(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void ConvertOfATruncatedCheckpointNamesTheFileAndWritesNothing()
    {
        var dir = CheckpointTests.TempDir();
        var bytes = File.ReadAllBytes(CheckpointTests.Fixture("papagei_style.pt"));
        var truncated = Path.Combine(dir, "truncated.pt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);
        var (code, _, err) = Cli("models", "convert", "--manifest", "papagei-s", "--in", truncated, "--out", Path.Combine(dir, "o.safetensors"));
        Assert.Equal(1, code);
        AssertOneErrorLine(err, truncated + ": corrupted or truncated");
        Assert.Single(err.Trim().Split('\n'));
        Assert.Single(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void ConvertAgainstTheFullModelListsEveryMismatch()
    {
        // the toy checkpoint is not PaPaGei-S: the pinned expected_tensors catch it before anything is written
        var dir = CheckpointTests.TempDir();
        var (code, _, err) = Cli("models", "convert", "--manifest", "papagei-s", "--in", CheckpointTests.Fixture("papagei_style.pt"), "--out", Path.Combine(dir, "o.safetensors"));
        Assert.Equal(1, code);
        AssertOneErrorLine(err, "does not match papagei-s");
        Assert.Contains("missing     first_block_conv.conv.weight", err);
        Assert.Contains("unexpected  x.weight", err);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void ConvertWithAManifestFileWritesALoadableSafetensors()
    {
        var dir = CheckpointTests.TempDir();
        using var toy = new CheckpointToy();
        var manifest = ModelManifest.Find("papagei-s") with { Name = "toy", ExpectedTensors = StrictLoader.Expected(toy) };
        var manifestPath = Path.Combine(dir, "toy.json");
        File.WriteAllText(manifestPath, manifest.ToJson());
        var output = Path.Combine(dir, "toy.safetensors");
        var (code, stdout, err) = Cli("models", "convert", "--manifest", manifestPath, "--in", CheckpointTests.Fixture("papagei_style.pt"), "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("9 tensors", stdout);
        Assert.Contains("checked", stdout);
        Assert.Equal(9, StrictLoader.Load(toy, output));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length); // manifest + output, no temp file
    }

    [Fact]
    public void ConvertWithoutPinnedTensorsOrRegisteredModelSaysItDidNotCheck()
    {
        // a manifest with LaBraM's container layout but no expected_tensors and no registered model: written unchecked,
        // and StrictLoader checks at load time
        var dir = CheckpointTests.TempDir();
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ModelManifest.Locate("labram-base")!))!.AsObject();
        manifest["name"] = "unregistered-toy";
        manifest.Remove("expected_tensors");
        var manifestPath = Path.Combine(dir, "unregistered-toy.json");
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var output = Path.Combine(dir, "labram.safetensors");
        var (code, stdout, err) = Cli("models", "convert", "--manifest", manifestPath, "--in", CheckpointTests.Fixture("labram_style.pt"), "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("NOT checked", stdout);
        Assert.Contains("root key 'model'", stdout);
        using var toy = new CheckpointToy();
        Assert.Equal(9, StrictLoader.Load(toy, output));
    }

    [Fact]
    public void ManifestKeysPrintsTheExpectedTensors()
    {
        var (code, stdout, err) = Cli("models", "manifest-keys", "--model", "papagei-s");
        Assert.True(code == 0, err);
        var list = JsonSerializer.Deserialize<List<ExpectedTensor>>(stdout, ModelManifest.Json)!;
        Assert.Equal(ModelManifest.Find("papagei-s").ExpectedTensors!.Count, list.Count);
    }
}
