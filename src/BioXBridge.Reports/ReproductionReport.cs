using System.Globalization;
using System.Net;
using System.Text;
using Plotly.NET;
using CChart = Plotly.NET.CSharp.Chart;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>
/// The reproduction report: for every direction found under a runs folder (its <c>aggregate.json</c>), our mean ± sample
/// sd over seeds beside the paper's Table 1, the bridge's parameter reduction against KD beside the paper's, the
/// selected positions beside the release's, and what data and weights the row used. Ablation folders add Table 2 and
/// Figure 4. Written as <c>report.md</c> and an offline <c>report.html</c> with the charts.
/// </summary>
public static class ReproductionReport
{
    public const string HtmlFile = "report.html", MarkdownFile = "report.md";

    /// <summary>One direction's aggregate with what the paper and the release say about it.</summary>
    public sealed record Row(AggregateRecord Run, string Folder, IReadOnlyList<PaperRow> Paper, int[]? ReleasePositions)
    {
        public string Title => $"{Run.Direction}: {Run.OldModality.ToUpperInvariant()} (old) → {Run.NewModality.ToUpperInvariant()} (new)";
    }

    /// <summary>Every aggregate under <paramref name="runs"/>, at any depth, in path order.</summary>
    public static IReadOnlyList<Row> Collect(string runs)
    {
        if (!Directory.Exists(runs)) throw new DirectoryNotFoundException($"{runs}: no such folder");
        return Directory.GetFiles(runs, SeedRuns.AggregateFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f =>
        {
            var folder = Path.GetDirectoryName(f)!;
            var a = SeedRuns.Read(folder);
            // the release's positions are those of the full-size direction a twin stands in for
            var paperName = a.Direction.StartsWith("syn", StringComparison.Ordinal) ? a.Direction[3..] : a.Direction;
            int[]? release = DirectionFiles.Names().Contains(paperName) && DirectionFiles.Load(paperName).Positions is { Input: int m, Output: int l } ? [m, l] : null;
            var paper = PaperComparison.Table1.Where(p => p.Dataset == PaperComparison.PaperDataset(a.Dataset) && p.Old == a.OldModality && p.New == a.NewModality).ToList();
            return new Row(a, folder, paper, release);
        }).ToList();
    }

    /// <summary>Writes both files into a new folder; returns its full path.</summary>
    public static string Write(string runs, string outDir)
    {
        var rows = Collect(runs);
        if (rows.Count == 0) throw new FileNotFoundException($"{runs}: no {SeedRuns.AggregateFile} in it or below; run directions with 'run' first");
        var ablations = Directory.GetFiles(runs, Ablations.RecordFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                                 .Select(f => Ablations.Read(Path.GetDirectoryName(f)!)).ToList();
        return OutputFolder.Create(outDir, "a report", staging =>
        {
            File.WriteAllText(Path.Combine(staging, MarkdownFile), Markdown(rows, ablations));
            File.WriteAllText(Path.Combine(staging, HtmlFile), Html(rows, ablations));
        });
    }

    private static readonly (string Key, string Name)[] Metrics = [("balanced_accuracy", "BAcc"), ("f1_macro", "F1-M"), ("f1_weighted", "F1-W")];

    public static string Markdown(IReadOnlyList<Row> rows, IReadOnlyList<AblationRecord> ablations)
    {
        var sb = new StringBuilder("# BioX-Bridge reproduction report\n\n");
        sb.Append("Ours: mean ± sample sd over seeds, in %. Paper: Table 1 of Li et al. (ICLR 2026), real data, mean of five seeds. ")
          .Append("Rows on SYNTHETIC data measure the method on a stand-in generator: they say whether the pipeline behaves, not whether the paper's numbers reproduce.\n\n");
        sb.Append("| direction | data | seeds | bridge BAcc | KD BAcc | KD-Contrast BAcc | Oracle BAcc | Random BAcc | paper bridge BAcc |\n|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            string Cell(string m) => r.Run.Methods.TryGetValue(m, out var s) ? Pm(s.Metrics["balanced_accuracy"]) : "–";
            sb.Append($"| {r.Run.Direction} | {Data(r.Run)} | {r.Run.Seeds.Length} | {Cell("bridge")} | {Cell("kd")} | {Cell("kd_contrast")} | {Cell("oracle")} | {Cell("random")} | " +
                      $"{Paper(r, "BioX-Bridge", p => p.BalancedAccuracy)} |\n");
        }
        foreach (var r in rows)
        {
            sb.Append($"\n## {r.Title}\n\n");
            sb.Append("| method | input | trainable params (ours / paper) | ")
              .AppendJoin(" | ", Metrics.Select(m => $"{m.Name} ours | {m.Name} paper")).Append(" |\n|---|---|---|")
              .Append(string.Concat(Enumerable.Repeat("---|---|", Metrics.Length))).Append('\n');
            foreach (var (key, paperName) in PaperComparison.Methods.Where(m => r.Run.Methods.ContainsKey(m.Key)))
            {
                var m = r.Run.Methods[key];
                var p = r.Paper.FirstOrDefault(x => x.Method == paperName);
                sb.Append($"| {paperName} | {m.Input} | {Count(m.TrainableParameters)} / {p?.Parameters ?? "–"} | ")
                  .AppendJoin(" | ", Metrics.Select(x => $"{Pm(m.Metrics[x.Key])} | {Num(p is null ? null : Get(p, x.Key))}")).Append(" |\n");
            }
            sb.Append('\n').Append(Facts(r).Replace("\n", "  \n")).Append('\n');
        }
        foreach (var a in ablations)
        {
            sb.Append($"\n## Ablations: {a.Name}\n\n");
            var grid = a.Sweep("positions").ToList();
            if (grid.Count > 0)
                sb.Append("| Table 2 | BAcc ours | BAcc paper |\n|---|---|---|\n")
                  .Append($"| fixed positions, mean of the 3×3 grid | {100 * grid.Average(p => p.Metrics.BalancedAccuracy):F2} | 48.34 |\n")
                  .Append($"| two-stage selection (m = {a.Positions.Input}, l = {a.Positions.Output}) | {AblationCharts.SelectedScore(a):F2} | 52.02 |\n\n");
            foreach (var sweep in new[] { "rank", "prototypes", "pair_fraction" }.Where(s => a.Sweep(s).Any()))
                sb.Append($"Figure 4, {sweep}: ").AppendJoin(", ", AblationCharts.Summary(a, sweep).Select(s => $"{s.Value.ToString(CultureInfo.InvariantCulture)} → {100 * s.BalancedAccuracy:F1} %")).Append('\n');
            sb.Append('\n').Append(a.DataNote).Append('\n');
        }
        return sb.ToString();
    }

    public static string Html(IReadOnlyList<Row> rows, IReadOnlyList<AblationRecord> ablations)
    {
        var sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>BioX-Bridge reproduction report</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}")
            .Append(".note{padding:8px 12px;border-left:6px solid #d9822b;background:#fff4e5;font-weight:600}pre{white-space:pre-wrap}")
            .Append("</style><script>").Append(RunCharts.PlotlyJs()).Append("</script></head><body>");
        // the Markdown is the single source of the numbers; the page shows it as tables and adds the charts
        var md = Markdown(rows, ablations);
        var sections = md.Split("\n## ");
        sb.Append(MarkdownToHtml(sections[0]));
        for (int i = 1; i < sections.Length; i++)
        {
            sb.Append(MarkdownToHtml("## " + sections[i]));
            if (i - 1 < rows.Count) sb.Append(RunCharts.Div(Chart(rows[i - 1])));
            else foreach (var (_, chart) in AblationCharts.All(ablations[i - 1 - rows.Count])) sb.Append(RunCharts.Div(chart));
        }
        return sb.Append("</body></html>").ToString();
    }

    /// <summary>Balanced accuracy per method: the paper's bar beside our mean, every seed a dot.</summary>
    public static GenericChart Chart(Row r)
    {
        var methods = PaperComparison.Methods.Where(m => r.Run.Methods.ContainsKey(m.Key)).ToArray();
        var names = methods.Select(m => m.Paper.Replace(" (old modality)", "")).ToArray();
        var paper = CChart.Column<double, string, string>(values: methods.Select(m => r.Paper.FirstOrDefault(p => p.Method == m.Paper)?.BalancedAccuracy ?? double.NaN).ToArray(),
                                                          Keys: names, Name: "paper: real data, mean of 5 seeds", MarkerColor: Color.fromString("#8c8c8c"));
        var ours = CChart.Column<double, string, string>(values: methods.Select(m => 100 * r.Run.Methods[m.Key].Metrics["balanced_accuracy"].Mean).ToArray(),
                                                         Keys: names, Name: r.Run.Synthetic ? $"ours: SYNTHETIC {r.Run.Dataset}, mean" : $"ours: {r.Run.Dataset}, mean",
                                                         MarkerColor: Color.fromString(r.Run.Synthetic ? "#d9822b" : "#1f77b4"));
        var dots = methods.SelectMany((m, i) => r.Run.Methods[m.Key].Metrics["balanced_accuracy"].Values.Select(v => (X: names[i], Y: 100 * v))).ToArray();
        var seeds = CChart.Point<string, double, string>(x: dots.Select(d => d.X).ToArray(), y: dots.Select(d => d.Y).ToArray(), Name: "ours: each seed",
                                                         MarkerColor: Color.fromString("#333333"));
        var chart = Plotly.NET.CSharp.GenericChartExtensions.WithSize(CChart.Combine([paper, ours, seeds]), Width: RunCharts.Width, Height: RunCharts.Height);
        return Plotly.NET.Chart.withTitle($"{r.Title}: balanced accuracy (%){RunCharts.Tag(r.Run.Synthetic)}", null).Invoke(chart);
    }

    /// <summary>Positions, parameter reduction and the plain statement of data and weights, one line each.</summary>
    public static string Facts(Row r)
    {
        var a = r.Run;
        var lines = new List<string>();
        var chosen = string.Join(", ", a.Positions.Select(p => $"({p[0]}, {p[1]})").Distinct());
        lines.Add($"Positions (m, l): {(a.Config.Positions.Input is null ? "selected" : "fixed")} {chosen}; the release's scripts use " +
                  (r.ReleasePositions is { } rp ? $"({rp[0]}, {rp[1]}) on the full-size models." : "none for this direction."));
        if (a.Methods.TryGetValue("bridge", out var b) && a.Methods.TryGetValue("kd", out var k) && b.TrainableParameters is long pb && k.TrainableParameters is long pk)
        {
            var paperB = ParseCount(r.Paper.FirstOrDefault(p => p.Method == "BioX-Bridge")?.Parameters);
            var paperK = ParseCount(r.Paper.FirstOrDefault(p => p.Method == "KD")?.Parameters);
            lines.Add($"Trainable parameters, bridge vs KD: {pb:N0} vs {pk:N0}, {100 * (1 - (double)pb / pk):F1} % fewer" +
                      (paperB is double x && paperK is double y ? $" (paper: {100 * (1 - x / y):F1} % fewer at full size)." : "."));
        }
        lines.Add($"Data: {a.DataNote}.");
        lines.Add("Weights: " + string.Join("; ", a.Weights.Select(w => $"{w.Key} {w.Value}")) + ".");
        return string.Join("\n", lines);
    }

    private static string Data(AggregateRecord a) => (a.Synthetic ? $"SYNTHETIC {a.Dataset}" : $"real {a.Dataset}") +
                                                     (a.SplitUnit == "window" ? ", WINDOW-LEVEL split" : "");
    private static string Pm(Summary s) => (100 * s.Mean).ToString("F2", CultureInfo.InvariantCulture) + (s.Sd is double sd ? " ± " + (100 * sd).ToString("F2", CultureInfo.InvariantCulture) : "");
    private static string Num(double? v) => v?.ToString("F2", CultureInfo.InvariantCulture) ?? "–";
    private static string Count(long? n) => n?.ToString("N0", CultureInfo.InvariantCulture) ?? "–";
    private static string Paper(Row r, string method, Func<PaperRow, double?> get) => Num(r.Paper.FirstOrDefault(p => p.Method == method) is PaperRow p ? get(p) : null);
    private static double? Get(PaperRow p, string key) => key switch { "balanced_accuracy" => p.BalancedAccuracy, "f1_macro" => p.F1Macro, _ => p.F1Weighted };

    /// <summary>"0.4M" → 400 000; null for "–" or none.</summary>
    public static double? ParseCount(string? s) =>
        s is not null && s.EndsWith('M') && double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m * 1e6 : null;

    // just enough Markdown for this report: headings, pipe tables, paragraphs
    private static string MarkdownToHtml(string md)
    {
        var sb = new StringBuilder();
        var lines = md.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (line.StartsWith("# ")) sb.Append("<h1>").Append(Enc(line[2..])).Append("</h1>");
            else if (line.StartsWith("## ")) sb.Append("<h2>").Append(Enc(line[3..])).Append("</h2>");
            else if (line.StartsWith('|'))
            {
                sb.Append("<table>");
                bool header = true;
                for (; i < lines.Length && lines[i].StartsWith('|'); i++)
                {
                    if (lines[i].StartsWith("|---")) continue;
                    var cells = lines[i].Trim().Trim('|').Split(" | ");
                    var tag = header ? "th" : "td";
                    sb.Append("<tr>").AppendJoin("", cells.Select(c => $"<{tag}>{Enc(c.Trim())}</{tag}>")).Append("</tr>");
                    header = false;
                }
                sb.Append("</table>");
                i--;
            }
            else if (line.Length > 0)
                sb.Append((line.Contains("SYNTHETIC") || line.Contains("WINDOW-LEVEL")) && !line.StartsWith("Weights") ? "<p class=\"note\">" : "<p>").Append(Enc(line.TrimEnd(' '))).Append("</p>");
        }
        return sb.ToString();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
