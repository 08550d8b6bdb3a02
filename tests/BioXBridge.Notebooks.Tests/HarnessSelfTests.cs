using BioXBridge.Notebooks.Tests.Harness;
using Xunit;

namespace BioXBridge.Notebooks.Tests;

/// <summary>The harness itself: failures are reported with notebook, cell and error; outputs and stdout are captured.</summary>
[Collection(NotebookCollection.Name)]
public sealed class HarnessSelfTests
{
    [Fact]
    public async Task A_throwing_cell_fails_the_run_with_its_number_first_line_and_error()
    {
        using var nb = TempNotebook.Create("failing.ipynb",
            ("markdown", "# A notebook with a failing cell"),
            ("code", "Console.WriteLine(\"before\");"),
            ("code", "var answer = 42;\nthrow new InvalidOperationException($\"boom-{answer}\");"),
            ("code", "Console.WriteLine(\"after\");"));

        var run = await NotebookRunner.RunAsync(nb.Path);

        Assert.False(run.Succeeded);
        var failed = run.FailedCell!;
        Assert.Equal(3, failed.Number);       // markdown cell counts, as in Jupyter
        Assert.Equal(2, failed.CodeNumber);
        Assert.Equal("var answer = 42;", failed.FirstLine);
        Assert.Contains("boom-42", failed.Error);
        Assert.Equal(2, run.Cells.Count);     // stops at the first failure
        Assert.Contains("before", run.Stdout);
        Assert.DoesNotContain("after", run.Stdout);

        var ex = await Assert.ThrowsAsync<NotebookCellFailedException>(() => NotebookRunner.RunAndAssertAsync(nb.Path));
        Assert.Contains("failing.ipynb", ex.Message);
        Assert.Contains("cell 3", ex.Message);
        Assert.Contains("var answer = 42;", ex.Message);
        Assert.Contains("boom-42", ex.Message);
    }

    [Fact]
    public async Task A_compile_error_fails_the_run()
    {
        using var nb = TempNotebook.Create("compile-error.ipynb", ("code", "int x = \"not a number\";"));
        var run = await NotebookRunner.RunAsync(nb.Path);
        Assert.False(run.Succeeded);
        Assert.Contains("CS0029", run.FailedCell!.Error);
    }

    [Fact]
    public async Task Displays_return_values_and_stdout_are_captured_and_cwd_is_the_notebook_folder()
    {
        using var nb = TempNotebook.Create("outputs.ipynb",
            ("code", "\"<b>shown</b>\".DisplayAs(\"text/html\");\nConsole.WriteLine(\"to stdout\");"),
            ("code", "1 + 1"),
            ("code", "System.IO.Directory.GetCurrentDirectory()"));

        var run = await NotebookRunner.RunAndAssertAsync(nb.Path);

        Assert.Contains(run.OutputsOf("text/html"), o => o.Value == "<b>shown</b>");
        Assert.Contains(run.Cells[1].Outputs, o => o.Kind == "ReturnValueProduced" && NotebookAssert.IsPlainValue(o, "2"));
        Assert.Contains("to stdout", run.Stdout);
        Assert.Contains(run.Cells[2].Outputs, o => NotebookAssert.IsPlainValue(o, Path.GetDirectoryName(nb.Path)!));
        Assert.NotEqual(Path.GetDirectoryName(nb.Path), Directory.GetCurrentDirectory()); // restored afterwards
    }
}
