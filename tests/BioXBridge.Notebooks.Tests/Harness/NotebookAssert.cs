using Xunit;

namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>Assertions on what a notebook displayed.</summary>
public static class NotebookAssert
{
    /// <summary>Marker the BioXBridge.Interactive formatter puts before the inlined plotly.js.</summary>
    public const string PlotlyJsMarker = "<!-- bxb:plotly.js -->";

    /// <summary>What Plotly.NET's own (online) HTML loads plotly.js from; plotly.js itself mentions cdn.plot.ly elsewhere.</summary>
    public const string PlotlyCdn = "cdn.plot.ly/plotly-";

    public static IReadOnlyList<DisplayedOutput> Html(NotebookRun run, string contains) =>
        run.OutputsOf("text/html").Where(o => o.Value.Contains(contains, StringComparison.Ordinal)).ToList();

    /// <summary>An HTML &lt;table&gt; was displayed (Deedle frame, record, ...).</summary>
    public static void DisplayedHtmlTable(NotebookRun run) =>
        Assert.True(Html(run, "<table").Count > 0, $"{run.Name}: no HTML table was displayed\n{run.Summary()}");

    /// <summary>A Plotly chart was displayed through the offline formatter.</summary>
    public static void DisplayedPlotlyChart(NotebookRun run) =>
        Assert.True(Html(run, "Plotly.newPlot").Count > 0, $"{run.Name}: no Plotly chart was displayed\n{run.Summary()}");

    /// <summary>plotly.js was inlined exactly once in the run (the first chart), so the notebook renders offline.</summary>
    public static void PlotlyJsInlinedOnce(NotebookRun run)
    {
        var withJs = Html(run, PlotlyJsMarker);
        Assert.True(withJs.Count == 1, $"{run.Name}: plotly.js inlined {withJs.Count} times, expected once\n{run.Summary()}");
        Assert.DoesNotContain(run.OutputsOf("text/html"), o => o.Value.Contains(PlotlyCdn, StringComparison.Ordinal));
    }

    /// <summary>
    /// Some cell returned or displayed the plain value <paramref name="text"/>: as text/plain, or as the text/html
    /// that .NET Interactive makes of a plain value (<c>&lt;div class="dni-plaintext"&gt;&lt;pre&gt;3&lt;/pre&gt;</c>).
    /// </summary>
    public static void DisplayedValue(NotebookRun run, string text) =>
        Assert.True(run.Outputs.Any(o => IsPlainValue(o, text)), $"{run.Name}: no output showing the value '{text}'\n{run.Summary()}");

    public static bool IsPlainValue(DisplayedOutput o, string text) =>
        (o.MimeType == "text/plain" && o.Value.Trim() == text)
        || (o.MimeType == "text/html" && o.Value.Contains($"<div class=\"dni-plaintext\"><pre>{System.Net.WebUtility.HtmlEncode(text)}</pre></div>", StringComparison.Ordinal));
}
