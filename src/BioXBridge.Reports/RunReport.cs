using System.Globalization;
using System.Net;
using System.Text;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>
/// A single self-contained HTML page for one run: the data note, the results table, method bars, both position
/// profiles, training curves and the full record. plotly.js is inlined, so the page opens offline.
/// </summary>
public static class RunReport
{
    public const string File = "report.html";

    /// <summary>Writes the page into a run folder (being staged).</summary>
    public static void Write(RunRecord r, string folder) => System.IO.File.WriteAllText(Path.Combine(folder, File), Html(r));

    public static string Html(RunRecord r)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>BioXBridge run ")
          .Append(Enc(r.Name)).Append("</title><style>")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}")
          .Append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}")
          .Append(".note{padding:8px 12px;border-left:6px solid #d9822b;background:#fff4e5;font-weight:600}")
          .Append("</style><script>").Append(RunCharts.PlotlyJs()).Append("</script></head><body>");
        sb.Append("<h1>BioX-Bridge run: ").Append(Enc(r.Name)).Append("</h1>");
        sb.Append("<p class=\"note\">").Append(Enc(r.DataNote)).Append("</p>");
        sb.Append("<p>").Append(Enc($"{r.Dataset}: old modality {r.OldModality} (labelled, teacher), new modality {r.NewModality}; " +
                                    $"seed {r.Seed}; classes {string.Join(", ", r.ClassNames)}; {r.Seconds:F1} s; " +
                                    $"peak memory {r.PeakMemoryBytes / 1048576.0:F0} MiB.")).Append("</p>");
        sb.Append("<h2>Test results</h2>").Append(Table(r));
        sb.Append(RunCharts.Div(RunCharts.Methods(r)));
        sb.Append("<h2>Bridge positions</h2><p>").Append(Enc($"Input m = {r.Positions.Input} (output of new block {r.Positions.Input}), " +
                                                             $"output l = {r.Positions.Output} (input of old block {r.Positions.Output}).")).Append("</p>");
        if (r.Positions.Stage1.Length > 0)
            sb.Append(RunCharts.Div(RunCharts.Stage1(r))).Append(RunCharts.Div(RunCharts.Stage2(r)));
        foreach (var method in new[] { "bridge", "kd" }.Where(m => r.Methods.TryGetValue(m, out var v) && v.History is not null))
            sb.Append(RunCharts.Div(RunCharts.Training(r, method)));
        sb.Append("<h2>Record</h2><pre>").Append(Enc(r.ToJson())).Append("</pre></body></html>");
        return sb.ToString();
    }

    private static string Table(RunRecord r)
    {
        var sb = new StringBuilder("<table><tr><th>method</th><th>input</th><th>trainable params</th><th>BAcc %</th><th>F1-M %</th><th>F1-W %</th><th>Acc %</th><th>kappa</th><th>s</th></tr>");
        foreach (var key in RunCharts.MethodOrder.Where(r.Methods.ContainsKey))
        {
            var m = r.Methods[key];
            string P(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);
            sb.Append("<tr><td>").Append(key).Append("</td><td>").Append(m.Input).Append("</td><td>")
              .Append(m.TrainableParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "–").Append("</td><td>")
              .Append(P(m.Metrics.BalancedAccuracy)).Append("</td><td>").Append(P(m.Metrics.F1Macro)).Append("</td><td>")
              .Append(P(m.Metrics.F1Weighted)).Append("</td><td>").Append(P(m.Metrics.Accuracy)).Append("</td><td>")
              .Append(m.Metrics.Kappa.ToString("F3", CultureInfo.InvariantCulture)).Append("</td><td>")
              .Append(m.Seconds.ToString("F1", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
