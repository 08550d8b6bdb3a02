using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.DotNet.Interactive;
using Plotly.NET;

namespace BioXBridge.Interactive;

/// <summary>How a chart's HTML gets plotly.js.</summary>
public enum PlotlyJsMode
{
    /// <summary>The first chart displayed in a kernel session inlines plotly.js (3.6 MB); later charts only call
    /// <c>Plotly.newPlot</c>. Works offline; the saved notebook carries plotly.js once.</summary>
    FirstChartPerSession,
    /// <summary>Every chart inlines plotly.js: each output is self-contained (3.6 MB per chart).</summary>
    EveryChart,
    /// <summary>Never inline plotly.js: only use this where something else already loaded <c>window.Plotly</c>.</summary>
    Never,
}

/// <summary>
/// Offline HTML for Plotly.NET charts. Plotly.NET's own notebook HTML loads plotly.js from the CDN through requirejs,
/// which shows nothing offline; this emits plotly.js from the copy embedded in Plotly.NET.dll instead.
/// </summary>
public static class PlotlyOffline
{
    /// <summary>Marker comment at the start of the inlined plotly.js (tests look for it).</summary>
    public const string PlotlyJsMarker = "<!-- bxb:plotly.js -->";

    static readonly Lazy<string> JsText = new(BioXBridge.Reports.RunCharts.PlotlyJs);
    static readonly ConditionalWeakTable<Kernel, object> SessionsWithJs = new();
    static readonly object Gate = new();
    static int _generation;          // bumped by ResetSession: a re-run setup cell inlines plotly.js again
    static bool _sentWithoutKernel;  // ToNotebookHtml outside a kernel (plain .NET): tracked per generation

    internal static PlotlyJsMode Mode { get; set; } = PlotlyJsMode.FirstChartPerSession;

    /// <summary>The plotly.js bundled with Plotly.NET (the version Plotly.NET's chart JSON is made for).</summary>
    public static string PlotlyJs => JsText.Value;

    /// <summary>plotly.js version of the embedded copy, e.g. "2.28.0".</summary>
    public static string PlotlyJsVersion => Globals.PLOTLYJS_VERSION;

    internal static void ResetSession()
    {
        lock (Gate)
        {
            _generation++;
            _sentWithoutKernel = false;
            SessionsWithJs.Clear();
        }
    }

    /// <summary>
    /// The HTML a notebook output gets for <paramref name="chart"/>: a div plus a script that draws it, preceded by
    /// the full plotly.js when this kernel session has not received it yet (see <see cref="PlotlyJsMode"/>).
    /// </summary>
    public static string ToNotebookHtml(GenericChart chart)
    {
        bool includeJs = Mode switch
        {
            PlotlyJsMode.EveryChart => true,
            PlotlyJsMode.Never => false,
            _ => ClaimFirstChartOfSession(),
        };
        return ToHtml(chart, includeJs);
    }

    static bool ClaimFirstChartOfSession()
    {
        var root = KernelInvocationContext.Current?.HandlingKernel?.RootKernel;
        lock (Gate)
        {
            if (root is null)
            {
                if (_sentWithoutKernel) return false;
                _sentWithoutKernel = true;
                return true;
            }
            if (SessionsWithJs.TryGetValue(root, out var gen) && (int)gen == _generation) return false;
            SessionsWithJs.AddOrUpdate(root, _generation);
            return true;
        }
    }

    /// <summary>HTML fragment for one chart; with <paramref name="includePlotlyJs"/> it is self-contained and works offline.</summary>
    public static string ToHtml(GenericChart chart, bool includePlotlyJs)
    {
        var id = "bxb-plot-" + Guid.NewGuid().ToString("N");
        var figure = GenericChart.toFigureJson(chart);  // {"data":[...],"layout":{...},"frames":[...]}
        var config = Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart), Globals.JSON_CONFIG);
        var sb = new StringBuilder(figure.Length + 1500 + (includePlotlyJs ? PlotlyJs.Length + 200 : 0));
        if (includePlotlyJs)
            sb.Append(PlotlyJsScriptTag());
        sb.Append("<div id=\"").Append(id).Append("\"></div>\n");
        sb.Append("<script type=\"text/javascript\">\n(function () {\n");
        sb.Append("  var fig = ").Append(EscapeForScript(figure)).Append(";\n");
        sb.Append("  var config = ").Append(EscapeForScript(config)).Append(";\n");
        sb.Append("  var id = '").Append(id).Append("', tries = 0;\n");
        sb.Append(
            """
              function draw() {
                var el = document.getElementById(id);
                if (!el) { if (++tries < 100) setTimeout(draw, 50); return; }
                if (window.Plotly && window.Plotly.newPlot) {
                  window.Plotly.newPlot(el, fig.data, fig.layout || {}, config || {}).then(function () {
                    if (fig.frames && fig.frames.length) window.Plotly.addFrames(el, fig.frames);
                  });
                  return;
                }
                if (++tries < 100) { setTimeout(draw, 50); return; }
                el.innerHTML = '<pre style="color:#a00">plotly.js is not loaded in this page. BioXBridge inlines it into the first chart '
                  + 'of each kernel session; that output is gone or was not run. Restart the kernel and run all cells, or set '
                  + 'BioXBridge.Interactive.NotebookSetup.PlotlyJs = PlotlyJsMode.EveryChart.</pre>';
              }
              draw();
            })();
            </script>
            """);
        return sb.ToString();
    }

    /// <summary>
    /// A script tag that defines <c>window.Plotly</c>. plotly.min.js is a UMD bundle: in pages that have requirejs
    /// (classic Jupyter) it would register an anonymous AMD module instead of a global, so the bundle runs in a scope
    /// where <c>define</c>, <c>exports</c> and <c>module</c> are undefined.
    /// </summary>
    public static string PlotlyJsScriptTag() =>
        PlotlyJsMarker + "\n<script type=\"text/javascript\">\nif (!window.Plotly) { (function (define, exports, module) {\n"
        + EscapeForScript(PlotlyJs)
        + "\n}).call(window); }\n</script>\n";

    /// <summary>Keeps "&lt;/script" and "&lt;!--" in JSON/JS from ending or confusing the HTML script element.</summary>
    static string EscapeForScript(string js) =>
        js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase).Replace("<!--", "<\\!--");
}
