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
            // the number the notebook prints is the library's for the same direction, settings and seed (the epilogue
            // computes it again in a fresh context), and the bridge learned something: above chance (1/3)
            double printed = Number(stdout, @"bridge balanced accuracy \(ECG test, SYNTHETIC\): (\d\.\d{3})");
            Assert.Equal(Number(stdout, @"library, fresh context: bridge balanced accuracy (\d\.\d{3})"), printed);
            Assert.True(printed > 0.40, $"bridge balanced accuracy {printed} is at chance");
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
        ["02-teacher-training.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 2);
            // three classes: chance is 1/3; the teacher sees the class in its PPG and must be well above it
            double teacher = Number(run.Stdout, @"teacher after 4 epochs, test PPG: balanced accuracy (\d\.\d{3})");
            Assert.True(teacher > 0.6, $"teacher balanced accuracy {teacher} after 4 epochs");
            // the comparison table names where the stored teacher's weights came from, with their hash
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("trained here (4 epochs)") && t.Value.Contains("synwesad-ppg-teacher-") && t.Value.Contains("sha256:"));
        },
        ["03-position-selection.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 2);
            Assert.NotEmpty(NotebookAssert.Html(run, "Stage 1: F1Macro probe per ecg block"));
            Assert.NotEmpty(NotebookAssert.Html(run, "Stage 2: linear CKA per ppg block"));
            // one chosen mark per stage in the scores table, and one in the cost table
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => Regex.Matches(t.Value, "◀").Count == 2 && t.Value.Contains("m = 1"));
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("BridgeParameters") && Regex.Matches(t.Value, "◀").Count == 1);
        },
        ["04-bridge-training.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 2);
            // the notebook picks the GPU when the process has one, so the expected device is what torch says here
            var device = CudaAvailable() ? "cuda" : "cpu";
            Assert.NotEmpty(NotebookAssert.Html(run, $"Running on {device.ToUpperInvariant()}"));
            Assert.Matches($@"device: {device}; \d+ paired windows", run.Stdout);
            Assert.Matches(@"written: .*runs[/\\]04-bridge-seed0-\d{8}-\d{6}", run.Stdout);
        },
        ["05-baselines.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 4);
            // Table 1: the paper's WESAD PPG→ECG numbers beside this run's, labelled on both sides
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("52.02") && t.Value.Contains("62.96") && t.Value.Contains("SYNTHETIC synwesad"));
            var table1 = Assert.Single(NotebookAssert.Html(run, "paper vs this run"));
            Assert.Contains("paper: real WESAD, mean of 5 seeds", table1.Value);
            Assert.Contains("this run: SYNTHETIC synwesad, seed 0", table1.Value);
            Assert.Matches(@"bridge vs KD trainable parameters: 9\d\.\d % fewer", run.Stdout);
        },
        ["06-ablations.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 4);
            foreach (var sweep in new[] { "bridge rank r", "prototype count N_p", "fraction of paired windows" })
                Assert.Single(NotebookAssert.Html(run, "Ablation: " + sweep));
            Assert.Contains("\"yaxis2\"", Assert.Single(NotebookAssert.Html(run, "Ablation: bridge rank r")).Value); // parameters on a second axis
            Assert.Single(NotebookAssert.Html(run, "Fixed positions, BAcc %: grid mean"));
            Assert.Matches(@"fixed positions, mean of the 3×3 grid: \d+\.\d\d %; two-stage selection \(m = \d, l = \d+\): \d+\.\d\d %", run.Stdout);
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("Gaussian") && t.Value.Contains("Sampled"));
        },
        ["08-reproduce-table1.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 2);
            // one row per direction with mean ± sd of two seeds, beside the paper's bridge
            var table = Assert.Single(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("synwesad-ppg-to-ecg"));
            Assert.Contains("synisruc-eeg-to-ecg", table.Value);
            Assert.Matches(@"\d+\.\d ± \d+\.\d", System.Net.WebUtility.HtmlDecode(table.Value));
            Assert.Contains("52.02", table.Value);   // the paper's WESAD PPG→ECG bridge beside ours
            Assert.Contains("report.md", run.Stdout);
        },
        ["07-figures.ipynb"] = run =>
        {
            SyntheticChartsAndTables(run, charts: 6);
            Assert.Single(NotebookAssert.Html(run, "paper vs this run"));
            Assert.Single(NotebookAssert.Html(run, "Fixed positions, BAcc %"));
            Assert.Contains(NotebookAssert.Html(run, "<table"), t => t.Value.Contains("__table1-vs-paper") && t.Value.Contains("__ablation-positions"));
            // with Chromium on the machine (CI installs it) the notebook shows a PNG it wrote
            if (ChromiumOnPath())
                Assert.NotEmpty(NotebookAssert.Html(run, "src=\"data:image/png;base64,iVBOR"));
        },
    };

    static double Number(string text, string pattern)
    {
        var m = Regex.Match(text, pattern);
        Assert.True(m.Success, $"no match for /{pattern}/ in the output");
        return double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>torch.cuda.is_available() of this process, through the TorchSharp the notebook's kernel loaded into it.</summary>
    static bool CudaAvailable()
    {
        var torchSharp = AppDomain.CurrentDomain.GetAssemblies().First(a => a.GetName().Name == "TorchSharp");
        return (bool)torchSharp.GetType("TorchSharp.torch+cuda", throwOnError: true)!.GetMethod("is_available", Type.EmptyTypes)!.Invoke(null, null)!;
    }

    static bool ChromiumOnPath() => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(d => File.Exists(Path.Combine(d, "chromium")) || File.Exists(Path.Combine(d, "chromium-browser")) || File.Exists(Path.Combine(d, "google-chrome")));

    /// <summary>At least <paramref name="charts"/> offline charts and one table, and every chart says its data are SYNTHETIC.</summary>
    static void SyntheticChartsAndTables(NotebookRun run, int charts)
    {
        NotebookAssert.PlotlyJsInlinedOnce(run);
        NotebookAssert.DisplayedHtmlTable(run);
        var drawn = NotebookAssert.Html(run, "Plotly.newPlot");
        Assert.True(drawn.Count >= charts, $"{run.Name}: expected at least {charts} charts, got {drawn.Count}");
        Assert.All(drawn, c => Assert.Contains("SYNTHETIC", c.Value));
    }

    /// <summary>
    /// Parameters injected after a notebook's parameters cell, to run a long notebook at a size CI affords (every cell
    /// still runs and is checked; docs/notebooks/ holds the full-size runs from real Jupyter).
    /// A distillation epoch trains the whole new encoder (about 10 s on one core), and a bridge into an early old block
    /// runs nearly the whole old model in every step (the grid's l = first: 4 s per epoch), so those counts shrink most.
    /// </summary>
    static readonly Dictionary<string, (string After, string Code)> Smaller = new(StringComparer.Ordinal)
    {
        ["00-quickstart.ipynb"] = ("var kdEpochs =", "kdEpochs = 1;\n" +
                                                  "cfg = DirectionFiles.Load(direction, new[] { $\"bridge.epochs={bridgeEpochs}\", $\"kd.epochs={kdEpochs}\", $\"kd.enabled={(runDistillation ? \"true\" : \"false\")}\" });"),
        ["02-teacher-training.ipynb"] = ("var teacherEpochs =", "teacherEpochs = 4;"),
        ["05-baselines.ipynb"] = ("var kdEpochs =", "cfg = DirectionFiles.Load(direction, preparedData, newWeights, oldWeights, \"bridge.epochs=10\", \"kd.epochs=1\", \"kd_contrast.epochs=1\");"),
        ["06-ablations.ipynb"] = ("var ablation =", "ablation = ablation with { Ranks = new[] { 1, 4 }, Prototypes = new[] { 4, 16 }, PairFractions = new[] { 0.5, 1.0 } };\n" +
                                                  "cfg = DirectionFiles.Load(direction, preparedData, newWeights, oldWeights, \"bridge.epochs=1\");"),
        // the distillation baselines are 05's; here the table's bridge, oracle and random columns over two seeds
        ["08-reproduce-table1.ipynb"] = ("var seeds =", "directions = new[] { \"synwesad-ppg-to-ecg\", \"synisruc-eeg-to-ecg\" };\nseeds = new[] { 0, 1 };\n" +
                                                     "overrides = new[] { \"bridge.epochs=5\", \"kd.enabled=false\", \"kd_contrast.enabled=false\" };"),
    };

    /// <summary>Code run after a notebook's last cell, in its kernel: reference values its expectations compare with.</summary>
    static readonly Dictionary<string, string> Epilogues = new(StringComparer.Ordinal)
    {
        // the bridge of the parameters cell (seed 0, 10 epochs) trained again from a fresh context that computes everything
        // again (data, models, positions, features), not reading what the notebook's context kept
        ["00-quickstart.ipynb"] = """
            {
                using var fresh = ExperimentContext.Load(DirectionFiles.Load("synwesad-ppg-to-ecg", new[] { "bridge.epochs=10" }), dev, keepFrozenOutputs: false);
                var chosen = fresh.SelectPositions();
                using var again = fresh.TrainBridge(chosen.Input, chosen.Output, 0);
                Console.WriteLine($"library, fresh context: bridge balanced accuracy {again.Result.Metrics.BalancedAccuracy:F3}");
            }
            """,
    };

    /// <summary>
    /// Notebook 07 draws whatever run folders it finds and makes its own inputs only where there are none, so on its
    /// own it would draw what 04–06 (or an older checkout) left in notebooks/runs. The test gives it a fresh folder with
    /// a small demo run made here through the library, so its result does not depend on test order, and an ablation
    /// record whose points are written here by hand (rank, prototypes, pairs and the 3×3 grid, at the run's positions):
    /// 07 draws ablations, 06 trains them (its test checks the trained sweep's charts), and training the grid here again
    /// cost a minute.
    /// </summary>
    static (string After, string Code) FreshInputsFor07(string root) => ("var runs =", $$"""
        runs = @"{{Path.Combine(root, "runs")}}";
        figures = @"{{Path.Combine(root, "figures")}}";
        {
            var small = DirectionFiles.Load("synwesad-ppg-to-ecg", new[] { "bridge.epochs=1", "kd.enabled=false", "kd_contrast.enabled=false" });
            using var ctx = ExperimentContext.Load(small);
            using var run = BridgeExperiment.Run(ctx, 0);
            RunFolder.Write(run.Record, Path.Combine(runs, "demo"), staging => RunReport.Write(run.Record, staging));
            var (at, blocks) = (run.Record.Positions, (New: run.Record.Positions.Stage1.Length, Old: run.Record.Positions.Stage2.Length));
            var made = new List<AblationPoint>();
            void Point(string sweep, int rank, int prototypes, double pairs, int m, int l, double bacc) =>
                made.Add(new(sweep, rank, prototypes, pairs, m, l, 0, 1000 * rank, (int)(run.Record.Splits["pair"].Windows * pairs), new(bacc, bacc, bacc, bacc, 0, new[] { new[] { 1 } }), 1));
            foreach (var r in new[] { 1, 4 }) Point("rank", r, 16, 1, at.Input, at.Output, 0.5 + r / 20.0);
            foreach (var n in new[] { 4, 16 }) Point("prototypes", 4, n, 1, at.Input, at.Output, 0.5 + n / 80.0);
            foreach (var f in new[] { 0.5, 1.0 }) Point("pair_fraction", 4, 16, f, at.Input, at.Output, 0.4 + f / 4);
            foreach (var m in Ablations.Thirds(1, blocks.New))
                foreach (var l in Ablations.Thirds(0, blocks.Old - 1)) Point("positions", 4, 16, 1, m, l, 0.4 + (m + l) / 100.0);
            Ablations.Write(new AblationRecord
            {
                Name = "ablations", Dataset = "synwesad", Synthetic = true, DataNote = ctx.DataNote, Positions = at, NewBlocks = blocks.New,
                OldBlocks = blocks.Old, Points = made, Weights = run.Record.Weights, PeakMemoryBytes = 0, Seconds = 0, StartedUtc = DateTime.UtcNow,
                Versions = run.Record.Versions, Config = small, Ablation = new AblationConfig { Ranks = new[] { 1, 4 }, Prototypes = new[] { 4, 16 }, PairFractions = new[] { 0.5, 1.0 } },
            }, Path.Combine(runs, "ablations"));
        }
        """);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_every_cell_without_error(string notebook)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "bioxbridge-nb-" + Guid.NewGuid().ToString("N"));
        try { await RunAndCheck(notebook, scratch); }
        finally { if (Directory.Exists(scratch)) Directory.Delete(scratch, true); }
    }

    async Task RunAndCheck(string notebook, string scratch)
    {
        var inject = notebook == "07-figures.ipynb" ? FreshInputsFor07(scratch) : Smaller.TryGetValue(notebook, out var p) ? p : ((string, string)?)null;
        var run = await NotebookRunner.RunAsync(Path.Combine(RepoPaths.Notebooks, notebook), inject: inject,
                                                epilogue: Epilogues.GetValueOrDefault(notebook));
        output.WriteLine(run.Summary());
        var stdout = run.Stdout;
        if (stdout.Length > 0) output.WriteLine("stdout:\n" + (stdout.Length > 4000 ? stdout[..4000] + "…" : stdout));
        Assert.True(run.Succeeded, run.FailureMessage());
        Assert.NotEmpty(run.Cells);
        if (Expectations.TryGetValue(notebook, out var check)) check(run);
    }
}
