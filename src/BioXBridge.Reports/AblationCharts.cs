using Plotly.NET;
using Plotly.NET.CSharp;
using CChart = Plotly.NET.CSharp.Chart;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>
/// Figure 4 equivalents (a metric against bridge rank, prototype count and fraction of paired windows, with the
/// bridge's trainable parameters on a second axis) and the 3×3 fixed-position heat-map behind Table 2.
/// </summary>
public static class AblationCharts
{
    /// <summary>Mean over seeds per swept value, in the order of the values.</summary>
    public static IReadOnlyList<(double Value, double BalancedAccuracy, double Sd, long Parameters, int PairWindows, int Seeds)> Summary(AblationRecord r, string sweep) =>
        r.Sweep(sweep).GroupBy(p => Value(p, sweep)).OrderBy(g => g.Key).Select(g =>
        {
            var b = g.Select(p => p.Metrics.BalancedAccuracy).ToArray();
            double mean = b.Average(), sd = b.Length > 1 ? Math.Sqrt(b.Sum(v => (v - mean) * (v - mean)) / (b.Length - 1)) : 0;
            return (g.Key, mean, sd, g.First().TrainableParameters, g.First().PairWindows, b.Length);
        }).ToList();

    public static double Value(AblationPoint p, string sweep) => sweep switch
    {
        "rank" => p.Rank,
        "prototypes" => p.Prototypes,
        "pair_fraction" => p.PairFraction,
        _ => throw new ArgumentException($"sweep '{sweep}': expected rank, prototypes or pair_fraction"),
    };

    /// <summary>Balanced accuracy (%, mean ± sd over seeds) on the left axis; trainable parameters (or, for the pair sweep, paired windows) on the right.</summary>
    public static GenericChart Sweep(AblationRecord r, string sweep)
    {
        var s = Summary(r, sweep);
        bool pairs = sweep == "pair_fraction";
        // swept values are powers of two or fractions: evenly spaced categories read better than a log axis
        string Label(double v) => pairs ? $"{100 * v:0}%" : $"{v:0}";
        var xs = s.Select(p => Label(p.Value)).ToArray();
        var acc = CChart.Line<string, double, string>(x: xs, y: s.Select(p => 100 * p.BalancedAccuracy).ToArray(),
                                                      Name: "balanced accuracy (%)", ShowMarkers: true);
        // with several seeds the mean is the line and every seed's score a dot, so the spread stays visible
        var seeds = r.Sweep(sweep).Select(p => (X: Label(Value(p, sweep)), Y: 100 * p.Metrics.BalancedAccuracy)).ToArray();
        var dots = CChart.Point<string, double, string>(x: seeds.Select(p => p.X).ToArray(), y: seeds.Select(p => p.Y).ToArray(), Name: "per seed");
        var second = CChart.Line<string, double, string>(x: xs, y: s.Select(p => pairs ? p.PairWindows : (double)p.Parameters).ToArray(),
                                                         Name: pairs ? "paired windows" : "trainable parameters", ShowMarkers: true,
                                                         LineDash: StyleParam.DrawingStyle.Dash);
        second = Plotly.NET.Chart.withAxisAnchor(null, 2).Invoke(second);
        var (what, xTitle) = sweep switch
        {
            "rank" => ("bridge rank r", "rank r"),
            "prototypes" => ("prototype count N_p", "prototypes N_p"),
            _ => ("fraction of paired windows", "paired windows used (%)"),
        };
        var chart = CChart.Combine(s.Any(p => p.Seeds > 1) ? [acc, dots, second] : [acc, second])
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: "balanced accuracy (%)", Id: StyleParam.SubPlotId.NewYAxis(1))
            .WithYAxisStyle<double, double, string>(TitleText: pairs ? "paired windows" : "trainable parameters", Side: StyleParam.Side.Right,
                                                    Id: StyleParam.SubPlotId.NewYAxis(2), Overlaying: StyleParam.LinearAxisId.NewY(1), ShowGrid: false)
            .WithLegendStyle(Orientation: StyleParam.Orientation.Horizontal, X: 0, Y: 1.02, YAnchor: StyleParam.YAnchorPosition.Bottom)
            .WithSize(Width: RunCharts.Width, Height: RunCharts.Height);
        var fixedPart = pairs ? $"r = {r.Config.Bridge.Rank}, N_p = {r.Config.Bridge.Prototypes}" : sweep == "rank" ? $"N_p = {r.Config.Bridge.Prototypes}" : $"r = {r.Config.Bridge.Rank}";
        return Plotly.NET.Chart.withTitle($"Ablation: {what} ({fixedPart}, m = {r.Positions.Input}, l = {r.Positions.Output}){RunCharts.Tag(r.Synthetic)}", null).Invoke(chart);
    }

    /// <summary>The grid's balanced accuracy (%) as [new position m][old position l], averaged over seeds.</summary>
    public static (int[] M, int[] L, double[][] Z) Grid(AblationRecord r)
    {
        var points = r.Sweep("positions").ToArray();
        var ms = points.Select(p => p.InputPosition).Distinct().Order().ToArray();
        var ls = points.Select(p => p.OutputPosition).Distinct().Order().ToArray();
        var z = ms.Select(m => ls.Select(l => 100 * points.Where(p => p.InputPosition == m && p.OutputPosition == l)
                                                         .Average(p => p.Metrics.BalancedAccuracy)).ToArray()).ToArray();
        return (ms, ls, z);
    }

    /// <summary>3×3 heat-map of fixed positions {first, middle, last}; the title gives the grid mean next to the selected positions' score (Table 2).</summary>
    public static GenericChart PositionGrid(AblationRecord r)
    {
        var (ms, ls, z) = Grid(r);
        string[] names = ["first", "middle", "last"];
        var x = ls.Select((l, i) => $"l = {l} ({(ls.Length == 3 ? names[i] : "")})").ToArray();
        var y = ms.Select((m, i) => $"m = {m} ({(ms.Length == 3 ? names[i] : "")})").ToArray();
        var heat = CChart.Heatmap<double, string, string, string>(zData: z, X: x, Y: y, Name: "balanced accuracy (%)");
        var selected = SelectedScore(r);
        var title = $"Fixed positions, BAcc %: grid mean {z.SelectMany(v => v).Average():F1}, selected m = {r.Positions.Input}, l = {r.Positions.Output}: {selected:F1}{RunCharts.Tag(r.Synthetic)}";
        var chart = heat.WithXAxisStyle<double, double, string>(TitleText: "old-model block input l")
                        .WithYAxisStyle<double, double, string>(TitleText: "new-model block output m")
                        .WithSize(Width: RunCharts.Width, Height: RunCharts.Height);
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }

    /// <summary>Balanced accuracy (%) of the configured bridge at the selected positions with all pairs, over seeds; NaN if no sweep trained it.</summary>
    public static double SelectedScore(AblationRecord r) =>
        r.Points.Where(p => p.Sweep != "positions" && p.InputPosition == r.Positions.Input && p.OutputPosition == r.Positions.Output &&
                            p.Rank == r.Config.Bridge.Rank && p.Prototypes == r.Config.Bridge.Prototypes && p.PairFraction == 1)
                .GroupBy(p => p.Seed).Select(g => 100 * g.First().Metrics.BalancedAccuracy).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Every ablation chart under a stable file-name stem; sweeps that were not run are left out.</summary>
    public static IEnumerable<(string Stem, GenericChart Chart)> All(AblationRecord r)
    {
        foreach (var sweep in Ablations.Sweeps[..3].Where(s => r.Sweep(s).Any()))
            yield return ("ablation-" + sweep.Replace('_', '-'), Sweep(r, sweep));
        if (r.Sweep("positions").Any()) yield return ("ablation-positions", PositionGrid(r));
    }
}
