using Microsoft.DotNet.Interactive.Formatting;

namespace BioXBridge.Interactive;

/// <summary>
/// One call per notebook, in the setup cell after the <c>#r</c> lines:
/// <code>BioXBridge.Interactive.NotebookSetup.Register();</code>
/// Lets the library find its packages' assemblies (see <see cref="PackageDependencies"/>), registers the HTML formatters
/// (offline Plotly.NET charts, compact Deedle frames/series) and makes sure TorchSharp's native library can load in this
/// kernel (see <see cref="TorchNotebookSupport"/>). Safe to call again (re-running the
/// setup cell); every call starts a fresh plotly.js session, so the next chart inlines plotly.js again.
/// </summary>
public static class NotebookSetup
{
    static readonly object Gate = new();
    static bool _formattersRegistered;

    /// <summary>What the last <see cref="Register"/> did, one line per item (also handy when a notebook misbehaves).</summary>
    public static IReadOnlyList<string> Status { get; private set; } = Array.Empty<string>();

    /// <summary>How charts get plotly.js; default <see cref="PlotlyJsMode.FirstChartPerSession"/>.</summary>
    public static PlotlyJsMode PlotlyJs
    {
        get => PlotlyOffline.Mode;
        set => PlotlyOffline.Mode = value;
    }

    /// <summary>Registers everything; returns the status lines (also in <see cref="Status"/>).</summary>
    public static IReadOnlyList<string> Register(bool prepareTorch = true)
    {
        lock (Gate)
        {
            var status = new List<string>();
            if (PackageDependencies.Install() is { } resolver) status.Add(resolver);
            BioXBridge.NativeThreads.Configure();
            if (prepareTorch)
                status.AddRange(TorchNotebookSupport.Prepare());

            // Each registration is isolated: a notebook that does not reference Deedle (or Plotly.NET) still gets the rest.
            // The typed code lives in separate methods so that a missing assembly fails there, not in this method's JIT.
            Try(status, "Plotly.NET charts -> offline HTML", RegisterPlotly);
            Try(status, "Deedle frames/series -> HTML table", RegisterDeedle);
            PlotlyOffline.ResetSession();
            _formattersRegistered = true;
            Status = status;
            // quiet when all is well; anything done to the environment or skipped shows up in the setup cell's output
            foreach (var line in status.Where(l => !l.StartsWith("ok:", StringComparison.Ordinal)))
                Console.WriteLine("BioXBridge.Interactive: " + line);
            return status;
        }
    }

    /// <summary>True once <see cref="Register"/> ran in this process.</summary>
    public static bool IsRegistered => _formattersRegistered;

    /// <summary>Forget that plotly.js was sent: the next chart inlines it again (e.g. after clearing all outputs).</summary>
    public static void ResetPlotlySession() => PlotlyOffline.ResetSession();

    static void Try(List<string> status, string what, Action register)
    {
        try
        {
            register();
            status.Add($"ok: {what}");
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            var hint = e.Message.Contains("FSharp.Core", StringComparison.Ordinal)
                ? " The dotnet-interactive tool bundles FSharp.Core 10.0; Plotly.NET and Deedle need 10.1 (see notebooks/README.md)."
                : "";
            status.Add($"skipped: {what} ({e.GetType().Name}: {e.Message}){hint}");
        }
    }

    static void RegisterPlotly()
    {
        Formatter.Register<Plotly.NET.GenericChart>((chart, writer) => writer.Write(PlotlyOffline.ToNotebookHtml(chart)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), HtmlFormatter.MimeType);
    }

    static void RegisterDeedle()
    {
        Formatter.Register(typeof(Deedle.Frame<,>), (obj, writer) => writer.Write(FrameHtml.ToHtmlUntyped(obj)), HtmlFormatter.MimeType);
        Formatter.Register(typeof(Deedle.Series<,>), (obj, writer) => writer.Write(FrameHtml.ToHtmlUntyped(obj)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Deedle.Frame<,>), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Deedle.Series<,>), HtmlFormatter.MimeType);
    }
}
