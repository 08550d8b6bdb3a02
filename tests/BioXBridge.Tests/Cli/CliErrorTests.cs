using Xunit;

namespace BioXBridge.Tests.Cli;

/// <summary>The CLI as a user meets it: a child process, its exit code, its one error line, and what it left on disk.</summary>
[Collection(ChildProcessCollection.Name)]
public class CliErrorTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    private static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-cli-" + Guid.NewGuid().ToString("N"))).FullName;

    [Fact]
    public void UnknownOptionIsOneClearUsageError()
    {
        var (code, _, err) = Cli("demo", "--epochz", "3");
        Assert.Equal(2, code);
        Assert.Equal("error: demo: unknown option '--epochz'. See 'bioxbridge demo --help'.", err.Trim());
    }

    [Fact]
    public void MalformedNumberNamesTheOptionAndWhatWasExpected()
    {
        var (code, _, err) = Cli("demo", "--seed", "abc");
        Assert.Equal(2, code);
        Assert.Contains("'--seed' expects an integer", err);
    }

    [Fact]
    public void UnwritableOutFailsBeforeAnyWorkAndWritesNothing()
    {
        var root = TempDir();
        var file = Path.Combine(root, "not-a-folder");
        File.WriteAllText(file, "x");
        var (code, _, err) = Cli("demo", "--out", Path.Combine(file, "run"));
        Assert.Equal(1, code);
        Assert.Contains("cannot write", err);
        Assert.Single(Directory.GetFileSystemEntries(root));
        Directory.Delete(root, true);
    }

    [Fact]
    public void OutHoldingAFinishedRunIsRefusedAndLeftUntouched()
    {
        var run = TempDir();
        File.WriteAllText(Path.Combine(run, "record.json"), "{\"schema\":\"bioxbridge.run/1\"}");
        var (code, _, err) = Cli("demo", "--out", run);
        Assert.Equal(1, code);
        Assert.Contains("holds a finished run", err);
        Assert.Equal("{\"schema\":\"bioxbridge.run/1\"}", File.ReadAllText(Path.Combine(run, "record.json")));
        Assert.Single(Directory.GetFileSystemEntries(run));
        Directory.Delete(run, true);
    }

    [Fact]
    public void UnknownCommandAndHelp()
    {
        Assert.Equal(2, Cli("frobnicate").Code);
        var (code, stdout, _) = Cli("demo", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--seed", "--out", "--epochs", "--device", "--negative-control" })
            Assert.Contains(option, stdout);
    }

    [Theory]
    [InlineData("--ranks", "1,x", "'--ranks' expects a comma-separated list of integers ≥ 1 (or 'none'), got '1,x'")]
    [InlineData("--pair-fractions", "0.5,1.5", "'--pair-fractions' expects a comma-separated list of numbers in (0, 1] (or 'none'), got '0.5,1.5'")]
    [InlineData("--seeds", "-1", "'--seeds' expects a comma-separated list of integers ≥ 0 (or 'none'), got '-1'")]
    public void Ablation_lists_are_checked_before_any_work(string option, string value, string message)
    {
        var (code, _, err) = Cli("ablations", option, value);
        Assert.Equal(2, code);
        Assert.Equal($"error: ablations: option {message}", err.Trim());
    }

    [Fact]
    public void Prepared_data_that_is_not_a_prepared_folder_is_named()
    {
        var dir = TempDir();
        var (code, _, err) = Cli("positions", "--data", dir, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains($"{dir}: no prepared.json; not a prepared dataset", err);
        Directory.Delete(dir, true);
    }
}
