using System.Reflection;
using System.Text;
using Deedle;

namespace BioXBridge.Interactive;

/// <summary>
/// Compact HTML tables for Deedle frames and series (the default .NET Interactive formatter renders a 2-row frame as
/// megabytes of nested object tree). At most <see cref="DefaultMaxRows"/> rows are rendered.
/// </summary>
public static class FrameHtml
{
    public const int DefaultMaxRows = 100;
    public const int DefaultMaxColumns = 50;

    static readonly MethodInfo FrameMethod = typeof(FrameHtml).GetMethod(nameof(FrameToHtml), BindingFlags.Public | BindingFlags.Static)!;
    static readonly MethodInfo SeriesMethod = typeof(FrameHtml).GetMethod(nameof(SeriesToHtml), BindingFlags.Public | BindingFlags.Static)!;

    /// <summary>Dispatches a boxed <c>Frame&lt;R,C&gt;</c> or <c>Series&lt;K,V&gt;</c> (what the formatter receives).</summary>
    public static string ToHtmlUntyped(object value, int maxRows = DefaultMaxRows)
    {
        for (var t = value.GetType(); t is not null; t = t.BaseType)
        {
            if (!t.IsGenericType) continue;
            var def = t.GetGenericTypeDefinition();
            if (def == typeof(Frame<,>))
                return (string)FrameMethod.MakeGenericMethod(t.GetGenericArguments()).Invoke(null, new[] { value, maxRows, DefaultMaxColumns })!;
            if (def == typeof(Series<,>))
                return (string)SeriesMethod.MakeGenericMethod(t.GetGenericArguments()).Invoke(null, new[] { value, maxRows })!;
        }
        return Html.Encode(value.ToString());
    }

    /// <summary>HTML table of the first <paramref name="maxRows"/> rows and <paramref name="maxColumns"/> columns.</summary>
    public static string FrameToHtml<R, C>(Frame<R, C> frame, int maxRows = DefaultMaxRows, int maxColumns = DefaultMaxColumns)
    {
        var sb = new StringBuilder(Html.TableCss);
        int rows = frame.RowCount, cols = frame.ColumnCount;
        var colKeys = frame.ColumnKeys.Take(maxColumns).ToArray();
        var rowKeys = frame.RowKeys.Take(maxRows).ToArray();
        sb.Append("<table class=\"bxb\"><thead><tr><th class=\"k\"></th>");
        foreach (var c in colKeys)
            sb.Append("<th>").Append(Html.Encode(Html.FormatValue(c))).Append("</th>");
        if (cols > colKeys.Length) sb.Append("<th>…</th>");
        sb.Append("</tr></thead><tbody>");
        // column-wise access is what Deedle is fast at; collect each visible column once
        var columns = colKeys.Select(c => frame.GetColumn<object>(c)).ToArray();
        for (int i = 0; i < rowKeys.Length; i++)
        {
            sb.Append("<tr><td class=\"k\">").Append(Html.Encode(Html.FormatValue(rowKeys[i]))).Append("</td>");
            foreach (var col in columns)
                AppendCell(sb, col.TryGetAt(i));  // by position: also right for duplicate row keys
            if (cols > colKeys.Length) sb.Append("<td></td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        sb.Append("<div class=\"bxb-note\">").Append(rows).Append(" rows × ").Append(cols).Append(" columns");
        if (rows > rowKeys.Length || cols > colKeys.Length)
            sb.Append(" (showing ").Append(rowKeys.Length).Append(" × ").Append(colKeys.Length).Append(')');
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>Two-column HTML table (key, value) of the first <paramref name="maxRows"/> entries.</summary>
    public static string SeriesToHtml<K, V>(Series<K, V> series, int maxRows = DefaultMaxRows)
    {
        var sb = new StringBuilder(Html.TableCss);
        var keys = series.Keys.Take(maxRows).ToArray();
        sb.Append("<table class=\"bxb\"><thead><tr><th class=\"k\"></th><th>value</th></tr></thead><tbody>");
        for (int i = 0; i < keys.Length; i++)
        {
            sb.Append("<tr><td class=\"k\">").Append(Html.Encode(Html.FormatValue(keys[i]))).Append("</td>");
            AppendCell(sb, series.TryGetAt(i));
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table><div class=\"bxb-note\">").Append(series.KeyCount).Append(" entries");
        if (series.KeyCount > keys.Length) sb.Append(" (showing ").Append(keys.Length).Append(')');
        sb.Append("</div>");
        return sb.ToString();
    }

    static void AppendCell<T>(StringBuilder sb, OptionalValue<T> v)
    {
        if (!v.HasValue) { sb.Append("<td class=\"s\"><i>N/A</i></td>"); return; }
        object? o = v.Value;
        sb.Append(Html.IsNumeric(o) ? "<td>" : "<td class=\"s\">").Append(Html.Encode(Html.FormatValue(o))).Append("</td>");
    }
}
