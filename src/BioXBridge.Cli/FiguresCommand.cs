using BioXBridge.Experiments;
using BioXBridge.Reports;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge figures</c>: every figure of one or more run folders as offline HTML and PNG.</summary>
public static class FiguresCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("runs", "DIR", "a run folder, or a folder of run folders (each with record.json)"),
        new("out", "DIR", "new or empty folder for the figures"),
        new("chromium", "PATH", "Chromium for the PNGs (default: chromium on PATH; Debian: apt-get install chromium)"),
        new("no-png", null, "HTML only"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Regenerates every figure of run folders: method bars, position profiles, training curves, confusion matrices,\n" +
        "as offline HTML (plotly.js beside them, no network) and PNG (headless Chromium), plus an index.html.";

    public static int Run(CliArgs a)
    {
        var runs = a.String("runs") ?? throw new UsageException("figures: option '--runs' is required. See 'bioxbridge figures --help'.");
        var outDir = a.String("out") ?? throw new UsageException("figures: option '--out' is required. See 'bioxbridge figures --help'.");
        var chromium = a.Has("no-png") ? null : HeadlessChromium.Find(a.String("chromium"));
        var folders = FigureExport.FindRuns(runs);
        var result = ConsoleProgress.Run(false, p => FigureExport.Export(folders, outDir, chromium, p));
        AnsiConsole.MarkupLineInterpolated($"{result.Html.Count} HTML and {result.Png.Count} PNG figures of {folders.Count} run(s) in {result.Folder}; open index.html");
        if (result.PngSkipped is not null && !a.Has("no-png")) AnsiConsole.MarkupLineInterpolated($"[yellow]PNG skipped: {result.PngSkipped}[/]");
        return 0;
    }
}
