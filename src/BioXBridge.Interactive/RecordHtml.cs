using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Interactive;

/// <summary>
/// Shows a "record" (any object: a C#/F# record, anonymous object, dictionary, JsonElement/JsonNode or a JSON string)
/// as a key/value HTML table, nested objects as nested tables:
/// <code>RecordHtml.Show(result, "run summary");</code>
/// </summary>
public static class RecordHtml
{
    public const int DefaultMaxDepth = 4;
    const int MaxListItems = 20;
    const int MaxNestedItems = 10;

    /// <summary>Displays the record in the current cell's output (returns the display, e.g. to Update it later).</summary>
    public static NotebookDisplay Show(object? record, string? title = null, int maxDepth = DefaultMaxDepth) =>
        NotebookDisplay.ShowHtml(ToHtml(record, title, maxDepth));

    /// <summary>The HTML table for <paramref name="record"/>.</summary>
    public static string ToHtml(object? record, string? title = null, int maxDepth = DefaultMaxDepth)
    {
        var sb = new StringBuilder(Html.TableCss);
        if (record is string s && LooksLikeJson(s))
        {
            try { record = JsonDocument.Parse(s).RootElement.Clone(); }
            catch (JsonException) { /* plain string */ }
        }
        if (record is JsonNode node) record = JsonSerializer.SerializeToElement(node);
        var pairs = Members(record);
        if (pairs is null)
        {
            sb.Append("<table class=\"bxb\">");
            if (title is not null) sb.Append("<caption>").Append(Html.Encode(title)).Append("</caption>");
            sb.Append("<tr><td class=\"s\">");
            AppendValue(sb, record, 1, maxDepth);
            sb.Append("</td></tr></table>");
        }
        else
        {
            AppendTable(sb, pairs, title, 1, maxDepth);
        }
        return sb.ToString();
    }

    static bool LooksLikeJson(string s)
    {
        var t = s.AsSpan().Trim();
        return t.Length >= 2 && ((t[0] == '{' && t[^1] == '}') || (t[0] == '[' && t[^1] == ']'));
    }

    static void AppendTable(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> pairs, string? title, int depth, int maxDepth)
    {
        sb.Append("<table class=\"bxb\">");
        if (title is not null) sb.Append("<caption>").Append(Html.Encode(title)).Append("</caption>");
        foreach (var (key, value) in pairs)
        {
            sb.Append("<tr><th class=\"k\">").Append(Html.Encode(key)).Append("</th>");
            sb.Append(Html.IsNumeric(value) ? "<td>" : "<td class=\"s\">");
            AppendValue(sb, value, depth + 1, maxDepth);
            sb.Append("</td></tr>");
        }
        sb.Append("</table>");
    }

    static void AppendValue(StringBuilder sb, object? value, int depth, int maxDepth)
    {
        switch (value)
        {
            case null:
                sb.Append("<i>null</i>");
                return;
            case JsonElement e when e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined:
                sb.Append("<i>null</i>");
                return;
            case JsonElement e when e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array):
                sb.Append(Html.Encode(e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()));
                return;
        }
        if (IsLeaf(value))
        {
            sb.Append(Html.Encode(Html.FormatValue(value)));
            return;
        }
        if (depth > maxDepth)
        {
            sb.Append(Html.Encode(Shorten(value.ToString() ?? "", 200)));
            return;
        }
        var items = Items(value);
        if (items is not null)
        {
            if (items.All(IsLeafOrJsonScalar))
            {
                var shown = items.Take(MaxListItems).Select(ScalarText);
                sb.Append('[').Append(Html.Encode(string.Join(", ", shown)));
                if (items.Count > MaxListItems) sb.Append(", … ").Append(items.Count).Append(" items");
                sb.Append(']');
                return;
            }
            int i = 0;
            foreach (var item in items.Take(MaxNestedItems))
            {
                var nested = Members(item);
                if (nested is null) { sb.Append("<div>"); AppendValue(sb, item, depth + 1, maxDepth); sb.Append("</div>"); }
                else AppendTable(sb, nested, $"[{i}]", depth, maxDepth);
                i++;
            }
            if (items.Count > MaxNestedItems) sb.Append("<div class=\"bxb-note\">… ").Append(items.Count).Append(" items</div>");
            return;
        }
        var members = Members(value);
        if (members is not null) AppendTable(sb, members, null, depth, maxDepth);
        else sb.Append(Html.Encode(value.ToString()));
    }

    static string ScalarText(object? v) => v switch
    {
        null => "null",
        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText(),
        _ => Html.FormatValue(v),
    };

    static bool IsLeafOrJsonScalar(object? v) =>
        v is null || (v is JsonElement e ? e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) : IsLeaf(v));

    static bool IsLeaf(object v)
    {
        var t = v.GetType();
        return t.IsPrimitive || t.IsEnum || v is string or decimal or DateTime or DateTimeOffset or TimeSpan or Guid or Uri
               || v is Type || v is Delegate
               // native-backed objects (TorchSharp tensors, modules): property getters allocate or throw; use ToString
               || (t.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) ?? false);
    }

    /// <summary>The items of a list-like value, or null.</summary>
    static List<object?>? Items(object value)
    {
        if (value is JsonElement { ValueKind: JsonValueKind.Array } arr)
            return arr.EnumerateArray().Select(x => (object?)x).ToList();
        if (value is string || value is IDictionary || value is JsonElement || IsKeyValueEnumerable(value.GetType())) return null;
        if (value is IEnumerable en)
        {
            var list = new List<object?>();
            foreach (var x in en) { list.Add(x); if (list.Count > 10_000) break; }
            return list;
        }
        return null;
    }

    /// <summary>Key/value members of an object-like value, or null for scalars and lists.</summary>
    static List<KeyValuePair<string, object?>>? Members(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonElement { ValueKind: JsonValueKind.Object } obj:
                return obj.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)).ToList();
            case JsonElement:
                return null;
            case IDictionary dict:
            {
                var list = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry de in dict) list.Add(new(Html.FormatValue(de.Key), de.Value));
                return list;
            }
        }
        var type = value.GetType();
        if (IsLeaf(value)) return null;
        if (IsKeyValueEnumerable(type))
        {
            var list = new List<KeyValuePair<string, object?>>();
            foreach (var kv in (IEnumerable)value)
            {
                var kvType = kv!.GetType();
                list.Add(new(Html.FormatValue(kvType.GetProperty("Key")!.GetValue(kv)), kvType.GetProperty("Value")!.GetValue(kv)));
            }
            return list;
        }
        if (value is IEnumerable) return null;
        var result = new List<KeyValuePair<string, object?>>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanRead || p.GetIndexParameters().Length > 0 || p.GetMethod is null) continue;
            if (p.Name == "EqualityContract") continue; // C# records
            object? v;
            try { v = p.GetValue(value); }
            catch (TargetInvocationException e) { v = $"<{e.InnerException?.GetType().Name}: {e.InnerException?.Message}>"; }
            result.Add(new(p.Name, v));
        }
        foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            result.Add(new(f.Name, f.GetValue(value)));
        return result.Count > 0 ? result : null;
    }

    static bool IsKeyValueEnumerable(Type t) =>
        t.GetInterfaces().Append(t).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            && i.GetGenericArguments()[0] is { IsGenericType: true } a && a.GetGenericTypeDefinition() == typeof(KeyValuePair<,>));

    static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
