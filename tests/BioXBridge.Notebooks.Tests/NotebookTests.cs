using System.Text.RegularExpressions;
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
            // every chart of the (synthetic) data or results says so in its title
            var charts = NotebookAssert.Html(run, "Plotly.newPlot");
            Assert.True(charts.Count >= 4, $"expected the window, positions, methods and training charts, got {charts.Count}");
            Assert.All(charts, c => Assert.Contains("SYNTHETIC", c.Value));
            // the results table: one row per method, under a SYNTHETIC heading
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains(">oracle<") && t.Value.Contains(">bridge<"));
            Assert.NotEmpty(NotebookAssert.Html(run, "Test metrics (%), ppg → ecg — SYNTHETIC data"));
            var stdout = run.Stdout;
            Assert.Matches(@"bridge balanced accuracy \(ECG test, SYNTHETIC\): [01]\.\d{3}", stdout);
            Assert.Contains("largest |output| of the untrained bridge: 0", stdout);      // B = 0 at init
            var formula = Regex.Match(stdout, @"r·d_in \+ r·N_p·N_l \+ N_p·d_l = .+ = ([\d,. ]+)\r?\n").Groups[1].Value.Trim();
            var counted = Regex.Match(stdout, @"bridge\.ParameterCount\(\)\s+= ([\d,. ]+)\r?\n").Groups[1].Value.Trim();
            Assert.NotEqual("", formula);
            Assert.Equal(formula, counted);
        },
        ["01-dataset-preparation.ipynb"] = run =>
        {
            NotebookAssert.DisplayedPlotlyChart(run);
            NotebookAssert.DisplayedHtmlTable(run);
            Assert.All(NotebookAssert.Html(run, "Plotly.newPlot"), c => Assert.Contains("SYNTHETIC", c.Value));
            Assert.Contains("test/ecg.npy", run.Stdout);
            Assert.Contains("shape (333, 1, 6000)", run.Stdout);
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
