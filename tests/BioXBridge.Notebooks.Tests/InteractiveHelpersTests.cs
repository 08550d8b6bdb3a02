using System.Text.RegularExpressions;
using BioXBridge.Notebooks.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace BioXBridge.Notebooks.Tests;

/// <summary>
/// BioXBridge.Interactive inside a real kernel, loaded the way notebooks load it (the README's setup cell, run from the
/// notebooks folder, so <c>#r "../artifacts/lib/..."</c> resolves): formatters, progress display, record view, torch.
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class InteractiveHelpersTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Setup_cell_formatters_progress_record_and_torch_work_in_the_kernel()
    {
        using var nb = TempNotebook.Create("helpers.ipynb",
            ("code", SetupCell.FromReadme()),
            /* 2 */ ("code", "Console.WriteLine(string.Join(\"\\n\", BioXBridge.Interactive.NotebookSetup.Status));"),
            /* 3 */ ("code", "var xs = new[] { 1.0, 2, 3 };\nPlotly.NET.CSharp.Chart.Line<double, double, string>(x: xs, y: xs, Name: \"a\").Display();\n"
                            + "Plotly.NET.CSharp.Chart.Point<double, double, string>(x: xs, y: xs, Name: \"b\").Display();"),
            /* 4 */ ("code", "var rows = Enumerable.Range(0, 150).Select(i => new { Id = i, Score = i * 0.5, Name = \"r<\" + i + \">\" }).ToArray();\n"
                            + "Deedle.Frame.FromRecords(rows)"),
            /* 5 */ ("code", "var p = BioXBridge.Interactive.NotebookProgress.Start(\"train\", TimeSpan.Zero);\n"
                            + "for (int i = 1; i <= 5; i++) p.Report($\"epoch {i}\", i, 5);\np.Complete(\"done\");"),
            /* 6 */ ("code", "BioXBridge.Interactive.RecordHtml.Show(new { Model = \"bridge\", Accuracy = 0.8125, Sizes = new[] { 1, 2, 3 }, "
                            + "Inner = new { Rank = 8 } }, \"run\");\n"
                            + "BioXBridge.Interactive.RecordHtml.Show(\"{\\\"a\\\": 1, \\\"b\\\": {\\\"c\\\": [true, null]}}\");"),
            /* 7 */ ("code", "Console.WriteLine(typeof(TorchSharp.torch).Assembly.Location);\nTorchSharp.torch.ones(3).sum().item<float>()"),
            /* 8 */ ("code", "var q = BioXBridge.Interactive.NotebookProgress.Start(\"burst\");\n"
                            + "IProgress<BioXBridge.ProgressReport> lib = q;\n"
                            + "for (int i = 1; i <= 1000; i++) lib.Report(new BioXBridge.ProgressReport(\"step\", i, 1000, $\"loss {1.0 / i:0.000}\"));\n"
                            + "q.UpdatesSent"));

        var run = await NotebookRunner.RunAsync(nb.Path, workingDirectory: RepoPaths.Notebooks);
        output.WriteLine(run.Summary());
        output.WriteLine(run.Stdout);
        Assert.True(run.Succeeded, run.FailureMessage());

        // 2: both formatters registered
        Assert.Contains("ok: Plotly.NET", run.Cells[1].Stdout.ToString());
        Assert.Contains("ok: Deedle", run.Cells[1].Stdout.ToString());

        // 3: two charts, plotly.js only in the first; no CDN
        var charts = run.Cells[2].Outputs.Where(o => o.MimeType == "text/html").ToList();
        Assert.Equal(2, charts.Count);
        Assert.All(charts, c => Assert.Contains("Plotly.newPlot", c.Value));
        Assert.StartsWith(NotebookAssert.PlotlyJsMarker, charts[0].Value);
        Assert.True(charts[0].Value.Length > 3_000_000, $"first chart has {charts[0].Value.Length} chars; plotly.js missing?");
        Assert.DoesNotContain(NotebookAssert.PlotlyJsMarker, charts[1].Value);
        Assert.True(charts[1].Value.Length < 50_000);
        Assert.DoesNotContain(NotebookAssert.PlotlyCdn, charts[0].Value + charts[1].Value);

        // 4: compact table, first 100 of 150 rows, values encoded
        var table = Assert.Single(run.Cells[3].Outputs, o => o.MimeType == "text/html").Value;
        Assert.Equal(100, Regex.Matches(table, "<tr><td class=\"k\">").Count);
        Assert.Contains("150 rows × 3 columns (showing 100 × 3)", table);
        Assert.Contains("r&lt;7&gt;", table);
        Assert.True(table.Length < 40_000, $"frame table is {table.Length} chars");

        // 5: one display, updated in place
        var progress = run.Cells[4].Outputs.Where(o => o.MimeType == "text/html").ToList();
        Assert.Equal("DisplayedValueProduced", progress[0].Kind);
        Assert.True(progress.Count >= 2);
        Assert.All(progress.Skip(1), o => Assert.True(o.IsUpdate));
        Assert.Single(progress.Select(o => o.ValueId).Distinct());
        Assert.Contains("5/5", progress[^1].Value);
        Assert.Contains("done", progress[^1].Value);

        // 6: record tables (object and JSON string)
        var records = run.Cells[5].Outputs.Where(o => o.MimeType == "text/html").Select(o => o.Value).ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains("<caption>run</caption>", records[0]);
        Assert.Contains("0.8125", records[0]);
        Assert.Contains("[1, 2, 3]", records[0]);
        Assert.Contains(">Rank<", records[0]);
        Assert.Contains(">c<", records[1]);
        Assert.Contains("[true, null]", records[1]);

        // 7: torch works in the kernel
        NotebookAssert.DisplayedValue(run, "3");

        // 8: a burst of 1000 reports through the library's IProgress<ProgressReport> sends only the first and the last
        var burst = run.Cells[7].Outputs;
        Assert.Contains(burst, o => NotebookAssert.IsPlainValue(o, "2"));
        Assert.Contains("1000/1000", burst.Last(o => o.IsUpdate).Value);
        Assert.Contains("loss 0.001", burst.Last(o => o.IsUpdate).Value);
    }
}
