using System.Globalization;
using System.Net;

namespace BioXBridge.Interactive;

/// <summary>Small HTML helpers shared by the formatters.</summary>
public static class Html
{
    /// <summary>Compact table style, scoped by class so it does not touch the notebook's own tables.</summary>
    public const string TableCss =
        "<style>table.bxb{border-collapse:collapse;font-size:12px;font-family:ui-monospace,Menlo,Consolas,monospace;margin:2px 0}" +
        "table.bxb th,table.bxb td{border:1px solid #ccc;padding:2px 6px;text-align:right;vertical-align:top}" +
        "table.bxb th{background:#f3f3f3}table.bxb th.k,table.bxb td.k{text-align:left;font-weight:600}" +
        "table.bxb td.s{text-align:left}table.bxb caption{text-align:left;font-weight:600;padding:2px 0}" +
        ".bxb-note{font-size:11px;color:#666}</style>";

    public static string Encode(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>Invariant, short text for a cell value (doubles with 6 significant digits).</summary>
    public static string FormatValue(object? v) => v switch
    {
        null => "",
        string s => s,
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>Numbers are right-aligned; everything else left-aligned.</summary>
    public static bool IsNumeric(object? v) =>
        v is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;
}
