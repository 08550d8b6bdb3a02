using BioXBridge.Notebooks.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace BioXBridge.Notebooks.Tests;

/// <summary>Runs every notebooks/*.ipynb in-process; a failing cell fails the test with its notebook, number, first line and error.</summary>
[Collection(NotebookCollection.Name)]
public sealed class NotebookTests(ITestOutputHelper output)
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var name in RepoPaths.NotebookFiles()) data.Add(name);
        return data;
    }

    /// <summary>Extra checks per notebook, on top of "every cell ran": keep in step with the notebooks' content.</summary>
    static readonly Dictionary<string, Action<NotebookRun>> Expectations = new(StringComparer.Ordinal)
    {
        ["00-quickstart.ipynb"] = run =>
        {
            NotebookAssert.DisplayedPlotlyChart(run);
            NotebookAssert.PlotlyJsInlinedOnce(run);
            NotebookAssert.DisplayedHtmlTable(run);
            NotebookAssert.DisplayedValue(run, "3"); // torch.ones(3).sum()
        },
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_every_cell_without_error(string notebook)
    {
        var run = await NotebookRunner.RunAsync(Path.Combine(RepoPaths.Notebooks, notebook));
        output.WriteLine(run.Summary());
        var stdout = run.Stdout;
        if (stdout.Length > 0) output.WriteLine("stdout:\n" + (stdout.Length > 4000 ? stdout[..4000] + "…" : stdout));
        Assert.True(run.Succeeded, run.FailureMessage());
        Assert.NotEmpty(run.Cells);
        if (Expectations.TryGetValue(notebook, out var check)) check(run);
    }
}
