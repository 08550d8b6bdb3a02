using BioXBridge.Reports;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge report</c>: our results beside the paper's tables, for every direction under a runs folder.</summary>
public static class ReportCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("runs", "DIR", "folder holding 'run' output (aggregate.json at any depth) and optionally 'ablations' folders"),
        new("out", "DIR", "new or empty folder for report.html and report.md"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Writes the reproduction report: per direction our mean ± sd over seeds beside the paper's Table 1 (Oracle,\n" +
        "Random, KD, KD-Contrast, bridge), the parameter reduction against KD, the selected positions beside the\n" +
        "release's, and the data and weights each row used (synthetic or real, with hashes); Table 2 and Figure 4 where\n" +
        "ablation folders are present. Markdown and offline HTML with the charts.";

    public static int Run(CliArgs a)
    {
        var runs = a.String("runs") ?? throw new UsageException("report: option '--runs' is required. See 'bioxbridge report --help'.");
        var outDir = a.String("out") ?? throw new UsageException("report: option '--out' is required. See 'bioxbridge report --help'.");
        var folder = ReproductionReport.Write(runs, outDir);
        AnsiConsole.MarkupLineInterpolated($"{ReproductionReport.Collect(runs).Count} direction(s) → {Path.Combine(folder, ReproductionReport.HtmlFile)} and {ReproductionReport.MarkdownFile}");
        return 0;
    }
}
