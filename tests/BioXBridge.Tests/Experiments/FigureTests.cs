using BioXBridge.Experiments;
using BioXBridge.Reports;
using Plotly.NET;
using Xunit;

namespace BioXBridge.Tests.Experiments;

/// <summary>Ablation and Table 1 figures from hand-made records with known answers, and one real render in Chromium.</summary>
public class FigureTests
{
    static MetricValues Bacc(double b) => new(b, b, b, b, 0, [[1]]);

    /// <summary>Rank sweep over two seeds (0.6/0.8 at r = 1, 0.7/0.7 at r = 4), a 3×3 grid with score (m + l)/100.</summary>
    public static AblationRecord Handmade(bool synthetic = true)
    {
        var points = new List<AblationPoint>
        {
            new("rank", 1, 16, 1, 3, 14, 0, 1520, 300, Bacc(0.6), 1), new("rank", 1, 16, 1, 3, 14, 1, 1520, 300, Bacc(0.8), 1),
            new("rank", 4, 16, 1, 3, 14, 0, 4544, 300, Bacc(0.7), 1), new("rank", 4, 16, 1, 3, 14, 1, 4544, 300, Bacc(0.7), 1),
            new("pair_fraction", 4, 16, 0.5, 3, 14, 0, 4544, 150, Bacc(0.5), 1),
        };
        foreach (var m in new[] { 1, 3, 4 })
            foreach (var l in new[] { 0, 9, 17 })
                points.Add(new("positions", 4, 16, 1, m, l, 0, 1000, 300, Bacc((m + l) / 100.0), 1));
        return new AblationRecord
        {
            Name = "handmade", Dataset = "synwesad", Synthetic = synthetic, DataNote = synthetic ? "SYNTHETIC stand-in" : "real data",
            Positions = new PositionRecord(3, 14, [0.5, 0.6, 0.7, 0.65], [.. Enumerable.Range(0, 18).Select(i => i / 20.0)], "F1Macro"),
            NewBlocks = 4, OldBlocks = 18, Points = points, Weights = new Dictionary<string, string>(), PeakMemoryBytes = 0, Seconds = 1,
            StartedUtc = DateTime.UnixEpoch, Versions = new Dictionary<string, string>(), Config = DemoRuns.Config, Ablation = new AblationConfig(),
        };
    }

    [Fact]
    public void Sweep_summary_is_the_mean_and_sample_sd_over_seeds()
    {
        var s = AblationCharts.Summary(Handmade(), "rank");
        Assert.Equal([1.0, 4.0], s.Select(p => p.Value));
        Assert.Equal(0.7, s[0].BalancedAccuracy, 12);
        Assert.Equal(Math.Sqrt(0.02), s[0].Sd, 12);   // (0.1² + 0.1²) / (2 − 1)
        Assert.Equal(0, s[1].Sd, 12);
        Assert.Equal([1520L, 4544L], s.Select(p => p.Parameters));
        Assert.Equal(2, s[0].Seeds);
    }

    [Fact]
    public void Grid_is_m_by_l_and_the_selected_score_is_the_configured_bridge_at_the_selected_positions()
    {
        var r = Handmade();
        var (ms, ls, z) = AblationCharts.Grid(r);
        Assert.Equal([1, 3, 4], ms);
        Assert.Equal([0, 9, 17], ls);
        Assert.Equal(100 * (4 + 9) / 100.0, z[2][1], 12);
        // r = 4, N_p = 16 (the config's), all pairs, at m = 3, l = 14: mean of both seeds, 70 %; the 50 % half-pairs point is not it
        Assert.Equal(70, AblationCharts.SelectedScore(r), 12);
    }

    [Fact]
    public void Ablation_charts_put_parameters_on_a_second_axis_and_say_synthetic()
    {
        var charts = AblationCharts.All(Handmade()).ToList();
        Assert.Equal(["ablation-rank", "ablation-pair-fraction", "ablation-positions"], charts.Select(c => c.Stem));
        var rank = GenericChart.toChartHTML(charts[0].Chart);
        Assert.Contains("\"yaxis2\"", rank);
        Assert.Contains("trainable parameters", rank);
        Assert.Contains("per seed", rank);                 // two seeds: each seed's dot
        Assert.Contains("paired windows", GenericChart.toChartHTML(charts[1].Chart));
        Assert.All(charts, c => Assert.Contains("SYNTHETIC", GenericChart.toChartHTML(c.Chart)));
        Assert.DoesNotContain("SYNTHETIC", GenericChart.toChartHTML(AblationCharts.PositionGrid(Handmade(synthetic: false))));
    }

    [Fact]
    public void Table1_holds_the_papers_numbers_for_all_six_directions()
    {
        Assert.Equal(6, PaperComparison.Table1.Select(p => (p.Dataset, p.Old, p.New)).Distinct().Count());
        var bridge = Assert.Single(PaperComparison.Table1, p => p is { Dataset: "WESAD", Old: "ppg", New: "ecg", Method: "BioX-Bridge" });
        Assert.Equal((52.02, 52.62, 65.12, "0.4M"), (bridge.BalancedAccuracy!.Value, bridge.F1Macro!.Value, bridge.F1Weighted!.Value, bridge.Parameters));
        var oracle = Assert.Single(PaperComparison.Table1, p => p is { Dataset: "FOG", Old: "emg", Method: "Oracle (old modality)" });
        Assert.Equal(87.55, oracle.BalancedAccuracy);
        Assert.Null(oracle.Parameters);
        Assert.Single(PaperComparison.Table1, p => p.Method == "CardioGAN"); // WESAD ECG→PPG only
        Assert.Equal("WESAD", PaperComparison.PaperDataset("synwesad"));
        Assert.Equal("ISRUC", PaperComparison.PaperDataset("isruc-s1"));
    }

    /// <summary>
    /// The one test that renders: every figure's PNG (BridgeExperimentTests checks a run's figures as HTML only). Without
    /// Chromium it reports itself skipped; CI installs Debian's chromium and sets BIOXBRIDGE_REQUIRE_CHROMIUM=1, so
    /// there a missing browser fails instead.
    /// </summary>
    [SkippableFact]
    public void Chromium_draws_the_figures_svg_and_a_non_blank_png()
    {
        var chromium = HeadlessChromium.Find();
        if (chromium is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("BIOXBRIDGE_REQUIRE_CHROMIUM") != "1", "BIOXBRIDGE_REQUIRE_CHROMIUM=1 but no Chromium on PATH");
            Skip.If(true, "no Chromium on PATH (Debian: apt-get install chromium): nothing to render the figures with");
        }
        var root = Path.Combine(Path.GetTempPath(), "bioxbridge-render-" + Guid.NewGuid().ToString("N"));
        try
        {
            Ablations.Write(Handmade(), Path.Combine(root, "runs", "abl"));
            var result = FigureExport.Export(FigureExport.FindRuns(Path.Combine(root, "runs")), Path.Combine(root, "figures"), chromium);
            Assert.Equal(result.Html.Select(h => Path.ChangeExtension(h, ".png")), result.Png);
            foreach (var file in result.Png)
            {
                var drawn = PngPixels.Read(Path.Combine(result.Folder, file));
                Assert.True(drawn.NonWhiteFraction > 0.05 && drawn.DistinctColours > 20, $"blank-looking PNG {file}: {drawn}");
            }

            string dom;
            using (var browser = HeadlessChromium.Start(chromium!)) dom = browser.Dom(Path.Combine(result.Folder, "abl__ablation-rank.html"));
            Assert.Contains("class=\"main-svg\"", dom);                 // plotly.js ran and drew
            Assert.Contains("Ablation: bridge rank r", dom);
            Assert.True(System.Text.RegularExpressions.Regex.Matches(dom, "class=\"point\"").Count >= 4, "fewer than 4 markers in the DOM");

            var png = PngPixels.Read(Path.Combine(result.Folder, "abl__ablation-positions.png"));
            Assert.Equal((RunCharts.Width, RunCharts.Height), (png.Width, png.Height));
            Assert.True(png.NonWhiteFraction > 0.2, $"only {png.NonWhiteFraction:P1} of the heat-map PNG is not white");
            Assert.True(png.DistinctColours >= 9, $"{png.DistinctColours} colours: a 3×3 heat-map with a colour bar has more");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
