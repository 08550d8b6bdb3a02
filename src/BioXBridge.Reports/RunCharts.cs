using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using CChart = Plotly.NET.CSharp.Chart;
using Chart = Plotly.NET.Chart;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>
/// Plotly.NET charts of one run, shared by the HTML report, the notebooks and the figures command. Every title of a
/// synthetic run says so, so a chart never passes for the paper's real-data figures.
/// </summary>
public static class RunCharts
{
    public static readonly string[] MethodOrder = BridgeExperiment.Methods;

    public static string Tag(RunRecord r) => Tag(r.Synthetic);
    public static string Tag(bool synthetic) => synthetic ? " — SYNTHETIC data" : "";

    /// <summary>Balanced accuracy, F1-macro and F1-weighted per method, in percent, as Table 1 reports them.</summary>
    public static GenericChart Methods(RunRecord r)
    {
        var methods = MethodOrder.Where(r.Methods.ContainsKey).ToArray();
        (string Name, Func<MetricValues, double> Get)[] metrics =
            [("Balanced accuracy", m => m.BalancedAccuracy), ("F1-macro", m => m.F1Macro), ("F1-weighted", m => m.F1Weighted)];
        var bars = metrics.Select(metric => CChart.Column<double, string, string>(
            values: methods.Select(k => 100 * metric.Get(r.Methods[k].Metrics)).ToArray(),
            Keys: methods.Select(k => $"{k} ({r.Methods[k].Input})").ToArray(), Name: metric.Name));
        return Styled(CChart.Combine(bars), $"Test metrics (%), {r.OldModality}→{r.NewModality}{Tag(r)}", "method", "%");
    }

    /// <summary>Stage 1: probe score of each new block's pooled output (m = 1..M), the chosen m marked.</summary>
    public static GenericChart Stage1(RunRecord r) => Stage1(r.Positions, r.NewModality, r.Synthetic);

    public static GenericChart Stage1(PositionRecord p, string newModality, bool synthetic) =>
        Profile(p.Stage1, 1, p.Input, $"Stage 1: {p.Criterion} probe per {newModality} block{Tag(synthetic)}",
                "input position m (output of new block m)", p.Criterion);

    /// <summary>Stage 2: linear CKA with each old block's pooled input (l = 0..L−1), the chosen l marked.</summary>
    public static GenericChart Stage2(RunRecord r) => Stage2(r.Positions, r.OldModality, r.Synthetic);

    public static GenericChart Stage2(PositionRecord p, string oldModality, bool synthetic) =>
        Profile(p.Stage2, 0, p.Output, $"Stage 2: linear CKA per {oldModality} block{Tag(synthetic)}",
                "output position l (input of old block l)", "CKA");

    /// <summary>
    /// Bridge and KD training: loss per epoch and, where evaluated, the score the checkpoint was selected by (a held-out
    /// loss, or validation balanced accuracy for runs that select with labels or predate the choice).
    /// </summary>
    public static GenericChart Training(RunRecord r, string method) =>
        Training(r.Methods[method].History ?? [], $"{method} training{Tag(r)}", r.Methods[method].ValidationMetric);

    public static GenericChart Training(IReadOnlyList<Models.EpochLog> h, string title, string? validationMetric = null)
    {
        var loss = CChart.Line<int, double, string>(x: h.Select(e => e.Epoch).ToArray(), y: h.Select(e => e.Loss).ToArray(), Name: "training loss");
        var val = h.Where(e => e.Validation is not null).ToArray();
        var score = CChart.Line<int, double, string>(x: val.Select(e => e.Epoch).ToArray(), y: val.Select(e => e.Validation!.Value).ToArray(),
                                                      Name: validationMetric ?? "validation balanced accuracy", ShowMarkers: true);
        return Styled(CChart.Combine([loss, score]), title, "epoch", "");
    }

    /// <summary>Confusion matrix of one method on the test set (rows true class, columns predicted), as counts.</summary>
    public static GenericChart Confusion(RunRecord r, string method) =>
        Confusion(r.Methods[method].Metrics.Confusion, r.ClassNames, $"Confusion matrix: {method} ({r.Methods[method].Input}){Tag(r)}");

    public static GenericChart Confusion(int[][] confusion, IReadOnlyList<string> classNames, string title)
    {
        var z = confusion.Select(row => row.Select(v => (double)v).ToArray()).ToArray();
        var heat = CChart.Heatmap<double, string, string, string>(zData: z, X: classNames.ToArray(), Y: classNames.ToArray(), Name: "windows");
        return Styled(heat, title, "predicted", "true");
    }

    /// <summary>Every chart of a run under a stable file-name stem, in the order a reader meets them.</summary>
    public static IEnumerable<(string Stem, GenericChart Chart)> All(RunRecord r)
    {
        yield return ("methods", Methods(r));
        if (r.Positions.Stage1.Length > 0)
        {
            yield return ("positions-stage1", Stage1(r));
            yield return ("positions-stage2", Stage2(r));
        }
        foreach (var method in new[] { "bridge", "kd" }.Where(k => r.Methods.TryGetValue(k, out var v) && v.History is not null))
            yield return ($"training-{method}", Training(r, method));
        foreach (var method in MethodOrder.Where(r.Methods.ContainsKey))
            yield return ($"confusion-{method}", Confusion(r, method));
    }

    /// <summary>Pixel size every chart is drawn at (the PNG export uses the same).</summary>
    public const int Width = 760, Height = 420;

    private static GenericChart Profile(double[] scores, int first, int chosen, string title, string xTitle, string yTitle)
    {
        var xs = Enumerable.Range(first, scores.Length).ToArray();
        var line = CChart.Line<int, double, string>(x: xs, y: scores, Name: yTitle, ShowMarkers: true);
        var mark = CChart.Point<int, double, string>(x: [chosen], y: [scores.Length > 0 ? scores[chosen - first] : 0], Name: "chosen");
        return Styled(CChart.Combine([line, mark]), title, xTitle, yTitle);
    }

    private static GenericChart Styled(GenericChart chart, string title, string xTitle, string yTitle)
    {
        chart = Chart.withTitle(title, null).Invoke(chart);
        return chart.WithXAxisStyle<double, double, string>(TitleText: xTitle)
                    .WithYAxisStyle<double, double, string>(TitleText: yTitle)
                    .WithSize(Width: Width, Height: Height);
    }

    /// <summary>plotly.js as shipped inside Plotly.NET, so pages render with no network.</summary>
    public static string PlotlyJs()
    {
        var asm = typeof(GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().First(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(asm.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    /// <summary>A chart as a div plus the script that draws it; the page must load <see cref="PlotlyJs"/> first.</summary>
    public static string Div(GenericChart chart)
    {
        var noReference = DisplayOptions.init(null, null, null, null, null, null,
                                              FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
        return GenericChart.toChartHTML(Chart.withDisplayOptions(noReference).Invoke(chart));
    }
}
