using System.Net;
using System.Text;
using Plotly.NET;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>
/// Regenerates every figure of a set of run folders: one HTML file per chart (deterministic names
/// <c>&lt;run&gt;__&lt;figure&gt;.html</c>, plotly.js shipped once beside them as <c>plotly.min.js</c>, so the pages open
/// offline), a PNG of each drawn by headless Chromium when one is available, and an <c>index.html</c> linking them.
/// </summary>
public static class FigureExport
{
    public sealed record Result(string Folder, IReadOnlyList<string> Html, IReadOnlyList<string> Png, string? PngSkipped);

    /// <summary>
    /// Result folders under <paramref name="runs"/> (a run's <c>record.json</c> or an <c>ablations.json</c>): the folder
    /// itself if it holds one, else every folder below it that does (seed folders of <c>run</c> included).
    /// </summary>
    public static IReadOnlyList<string> FindRuns(string runs)
    {
        if (!Directory.Exists(runs)) throw new DirectoryNotFoundException($"{runs}: no such folder");
        static bool Holds(string d) => File.Exists(Path.Combine(d, RunFolder.RecordFile)) || File.Exists(Path.Combine(d, Ablations.RecordFile));
        if (Holds(runs)) return [Path.GetFullPath(runs)];
        var found = Directory.GetDirectories(runs, "*", SearchOption.AllDirectories).Where(Holds).Select(Path.GetFullPath).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        return found.Length > 0 ? found
            : throw new FileNotFoundException($"{runs}: no {RunFolder.RecordFile} or {Ablations.RecordFile} in it or in its sub-folders");
    }

    /// <summary>A result folder's name in figure file names: a seed folder of <c>run</c> is prefixed by its direction's.</summary>
    public static string RunName(string folder)
    {
        var name = Path.GetFileName(folder);
        return name.StartsWith("seed-", StringComparison.Ordinal) ? $"{Path.GetFileName(Path.GetDirectoryName(folder))}-{name}" : name;
    }

    /// <summary>Of the result folders under <paramref name="runs"/>, the newest run and the newest ablations (by when their record was written).</summary>
    public static IReadOnlyList<string> Latest(string runs) =>
        FindRuns(runs).GroupBy(d => File.Exists(Path.Combine(d, RunFolder.RecordFile)))
                      .Select(g => g.MaxBy(d => File.GetLastWriteTimeUtc(Path.Combine(d, g.Key ? RunFolder.RecordFile : Ablations.RecordFile)))!)
                      .OrderBy(d => d, StringComparer.Ordinal).ToList();

    /// <summary>The pixel size a chart was laid out at (the PNG uses it), <see cref="RunCharts.Width"/> × <see cref="RunCharts.Height"/> if unset.</summary>
    public static (int Width, int Height) Size(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        int Get(string key, int fallback) => layout.TryGetTypedPropertyValue<int>(key) is { } v ? v.Value : fallback;
        return (Get("width", RunCharts.Width), Get("height", RunCharts.Height));
    }

    /// <summary>A result folder's data note and charts: a run's charts plus Table 1 beside the paper where the paper has the direction, or the ablation charts.</summary>
    public static (string Note, IReadOnlyList<(string Stem, GenericChart Chart)> Charts) Figures(string folder)
    {
        if (!File.Exists(Path.Combine(folder, RunFolder.RecordFile)))
        {
            var a = Ablations.Read(folder);
            return (a.DataNote, AblationCharts.All(a).ToList());
        }
        var r = RunFolder.Read(folder);
        var charts = RunCharts.All(r).ToList();
        if (PaperComparison.For(r).Count > 0) charts.Insert(1, ("table1-vs-paper", PaperComparison.Chart(r)));
        return (r.DataNote, charts);
    }

    /// <summary>
    /// Writes the figures into <paramref name="outDir"/>, which must be new or empty; files appear only when all are
    /// written (staging folder, then rename). <paramref name="chromium"/> null skips the PNGs.
    /// </summary>
    public static Result Export(IReadOnlyList<string> runFolders, string outDir, string? chromium, IProgress<ProgressReport>? progress = null)
    {
        var html = new List<string>();
        var png = new List<string>();
        var written = OutputFolder.Create(outDir, "figures", staging =>
        {
            using var browser = chromium is null ? null : HeadlessChromium.Start(chromium);
            File.WriteAllText(Path.Combine(staging, "plotly.min.js"), RunCharts.PlotlyJs());
            var index = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>BioXBridge figures</title>" +
                "<style>body{font-family:system-ui,sans-serif;margin:2em}img{border:1px solid #ccc;max-width:380px}" +
                ".note{font-weight:600;color:#a5541b}</style></head><body><h1>BioXBridge figures</h1>");
            foreach (var folder in runFolders)
            {
                var (note, charts) = Figures(folder);
                var run = RunName(folder);
                index.Append("<h2>").Append(WebUtility.HtmlEncode(run)).Append("</h2><p class=\"note\">")
                     .Append(WebUtility.HtmlEncode(note)).Append("</p>");
                foreach (var (stem, chart) in charts)
                {
                    var name = $"{run}__{stem}";
                    var (width, height) = Size(chart);
                    File.WriteAllText(Path.Combine(staging, name + ".html"),
                        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(name) +
                        "</title><script src=\"plotly.min.js\"></script></head><body style=\"margin:0\">" + RunCharts.Div(chart) + "</body></html>");
                    html.Add(name + ".html");
                    index.Append("<p><a href=\"").Append(name).Append(".html\">").Append(WebUtility.HtmlEncode(stem)).Append("</a>");
                    if (browser is not null)
                    {
                        browser.Screenshot(Path.Combine(staging, name + ".html"), Path.Combine(staging, name + ".png"), width, height);
                        png.Add(name + ".png");
                        index.Append("<br><img src=\"").Append(name).Append(".png\" alt=\"").Append(WebUtility.HtmlEncode(stem)).Append("\">");
                    }
                    index.Append("</p>");
                    progress?.Report(new ProgressReport("figures", html.Count, runFolders.Count * charts.Count, name));
                }
            }
            File.WriteAllText(Path.Combine(staging, "index.html"), index.Append("</body></html>").ToString());
        });
        return new Result(written, html, png, chromium is null ? "no Chromium found (install Debian's chromium, or pass --chromium PATH)" : null);
    }
}
