using Plotly.NET;
using CChart = Plotly.NET.CSharp.Chart;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>One row of the paper's Table 1: mean over five seeds, metrics in %, trainable parameters as printed.</summary>
public sealed record PaperRow(string Dataset, string Old, string New, string Method, double? BalancedAccuracy, double? F1Macro,
                              double? F1Weighted, string? Parameters);

/// <summary>
/// The paper's Table 1 (Li et al., ICLR 2026; real data, mean of five seeds), and a run's numbers beside the matching
/// direction. The comparison is drawn and tabulated with both labels spelled out, because a synthetic run measures the
/// method on a stand-in: it says whether the pipeline behaves, not whether the paper's numbers reproduce.
/// </summary>
public static class PaperComparison
{
    /// <summary>Our method keys → the paper's method names, in Table 1's order.</summary>
    public static readonly (string Key, string Paper)[] Methods =
        [("random", "Random"), ("kd", "KD"), ("kd_contrast", "KD-Contrast"), ("bridge", "BioX-Bridge"), ("oracle", "Oracle (old modality)")];

    public static readonly IReadOnlyList<PaperRow> Table1 = Rows(
        ("ISRUC", "eeg", "ecg", "Random 50.00 46.48 53.52 –|KD 60.24 61.01 72.96 30.4M|KD-Contrast 60.66 56.56 63.57 30.4M|BioX-Bridge 60.11 61.20 74.02 1.8M|Oracle (old modality) 80.13 82.06 87.19 –"),
        ("ISRUC", "ecg", "eeg", "Random 50.00 46.48 53.52 –|KD 62.24 63.69 75.27 5.8M|KD-Contrast 65.92 62.91 70.27 5.8M|BioX-Bridge 62.55 64.37 76.42 0.2M|Oracle (old modality) 63.54 65.54 76.86 –"),
        ("FOG", "eeg", "emg", "Random 50.00 49.99 50.01 –|KD 68.64 67.62 67.78 136.1M|KD-Contrast 72.21 71.95 71.95 136.1M|BioX-Bridge 72.24 72.12 72.16 1.2M|Oracle (old modality) 72.15 72.14 72.20 –"),
        ("FOG", "emg", "eeg", "Random 50.00 49.99 50.01 –|KD 68.03 67.73 67.75 5.8M|KD-Contrast 68.51 67.95 67.90 5.8M|BioX-Bridge 68.04 68.22 68.24 0.7M|Oracle (old modality) 87.55 87.58 87.60 –"),
        ("WESAD", "ecg", "ppg", "Random 33.33 31.29 35.38 –|CardioGAN 39.32 19.63 20.33 28.2M|KD 47.86 43.08 45.75 5.7M|KD-Contrast 45.31 42.75 47.20 5.7M|BioX-Bridge 49.57 42.28 47.44 0.2M|Oracle (old modality) 49.47 51.05 62.48 –"),
        ("WESAD", "ppg", "ecg", "Random 33.33 31.29 35.38 –|KD 47.03 46.36 60.29 30.4M|KD-Contrast 50.85 49.31 63.72 30.4M|BioX-Bridge 52.02 52.62 65.12 0.4M|Oracle (old modality) 62.96 60.97 74.52 –"));

    /// <summary>The paper's dataset whose task a run's dataset stands in for (SynWESAD → WESAD, …).</summary>
    public static string PaperDataset(string dataset) => dataset.Replace("syn", "", StringComparison.OrdinalIgnoreCase).Replace("-s1", "").ToUpperInvariant();

    /// <summary>The paper's rows for the run's direction (old → new modality on the dataset it stands for); empty if none.</summary>
    public static IReadOnlyList<PaperRow> For(RunRecord r) =>
        Table1.Where(p => p.Dataset == PaperDataset(r.Dataset) && p.Old == r.OldModality && p.New == r.NewModality).ToList();

    /// <summary>Legend names that cannot be misread: the paper's real-data means against this run's data and seed.</summary>
    public static (string Paper, string Ours) Labels(RunRecord r) =>
        ($"paper: real {PaperDataset(r.Dataset)}, mean of 5 seeds",
         r.Synthetic ? $"this run: SYNTHETIC {r.Dataset}, seed {r.Seed}" : $"this run: {r.Dataset}, seed {r.Seed}");

    /// <summary>
    /// Table 1 as grouped bars: one panel per metric (balanced accuracy, F1-macro, F1-weighted), the paper's bar and
    /// this run's bar side by side for Random, KD, BioX-Bridge and Oracle.
    /// </summary>
    public static GenericChart Chart(RunRecord r)
    {
        var paper = For(r);
        if (paper.Count == 0) throw new ArgumentException($"{r.Name}: the paper's Table 1 has no {r.OldModality}→{r.NewModality} direction on {PaperDataset(r.Dataset)}");
        var methods = Methods.Where(m => r.Methods.ContainsKey(m.Key)).ToArray();
        var (paperName, oursName) = Labels(r);
        (string Title, Func<PaperRow, double?> Paper, Func<MetricValues, double> Ours)[] metrics =
        [
            ("Balanced accuracy (%)", p => p.BalancedAccuracy, m => m.BalancedAccuracy),
            ("F1-macro (%)", p => p.F1Macro, m => m.F1Macro),
            ("F1-weighted (%)", p => p.F1Weighted, m => m.F1Weighted),
        ];
        var names = methods.Select(m => m.Paper.Replace(" (old modality)", "")).ToArray();
        var panels = metrics.Select((metric, i) => CChart.Combine(
        [
            CChart.Column<double, string, string>(values: methods.Select(m => paper.FirstOrDefault(p => p.Method == m.Paper) is PaperRow p ? metric.Paper(p) ?? double.NaN : double.NaN).ToArray(),
                                                  Keys: names, Name: paperName, ShowLegend: i == 0, MarkerColor: Color.fromString("#8c8c8c")),
            CChart.Column<double, string, string>(values: methods.Select(m => 100 * metric.Ours(r.Methods[m.Key].Metrics)).ToArray(),
                                                  Keys: names, Name: oursName, ShowLegend: i == 0, MarkerColor: Color.fromString(r.Synthetic ? "#d9822b" : "#1f77b4")),
        ]));
        var grid = CChart.Grid(panels, 1, 3, SubPlotTitles: metrics.Select(m => m.Title).ToArray());
        grid = Plotly.NET.Chart.withTitle($"Table 1, {PaperDataset(r.Dataset)} {r.OldModality.ToUpperInvariant()}(old)→{r.NewModality.ToUpperInvariant()}(new): paper vs this run{RunCharts.Tag(r)}", null).Invoke(grid);
        return Plotly.NET.CSharp.GenericChartExtensions.WithSize(grid, Width: 3 * RunCharts.Width / 2, Height: RunCharts.Height);
    }

    /// <summary>Trainable-parameter reduction of the bridge against KD, in % (the paper claims 87.9–99.1 %); null without both.</summary>
    public static double? ParameterReduction(RunRecord r) =>
        r.Methods.TryGetValue("bridge", out var b) && r.Methods.TryGetValue("kd", out var k) && b.TrainableParameters is long pb && k.TrainableParameters is long pk
            ? 100.0 * (1 - (double)pb / pk) : null;

    private static IReadOnlyList<PaperRow> Rows(params (string Dataset, string Old, string New, string Rows)[] directions) =>
        directions.SelectMany(d => d.Rows.Split('|').Select(row =>
        {
            // "Method words… BAcc F1-M F1-W Params": the last four fields are numbers (or –), the rest is the name
            var f = row.Split(' ');
            double? N(string s) => s == "–" ? null : double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
            return new PaperRow(d.Dataset, d.Old, d.New, string.Join(' ', f[..^4]), N(f[^4]), N(f[^3]), N(f[^2]), f[^1] == "–" ? null : f[^1]);
        })).ToList();
}
