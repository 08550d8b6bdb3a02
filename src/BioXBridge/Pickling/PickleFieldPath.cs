namespace BioXBridge.Pickling;

/// <summary>
/// Names the dict field a pickle machine was reading when it failed (e.g. <c>signal/chest/ECG</c>), read off its stack,
/// so that an error on a damaged file can say where. A heuristic, used only in error messages.
/// </summary>
internal static class PickleFieldPath
{
    /// <remarks>
    /// A dict with items above it is being filled: by a SETITEMS batch when a MARK follows it, else item by item
    /// (SETITEM; always so in protocol 0). Short strings at key positions are keys; a dict at a value position nests
    /// when it is being filled too (in a batch: a MARK follows it, or it is still empty; outside a batch it must be, as
    /// SETITEM consumes finished values). Scanning stops where a value's construction begins (a class for a call,
    /// STACK_GLOBAL's names, a BUILD state's MARK).
    /// </remarks>
    public static string Of(IReadOnlyList<object?> stack, IReadOnlyList<int> marks)
    {
        var markSet = new HashSet<int>(marks);
        var path = new List<string>();
        bool inDict = false, atKey = true, batched = false;
        string? key = null;
        for (int i = 0; i < stack.Count; i++)
        {
            if (inDict && markSet.Contains(i) && stack[i - 1] is not PyDict) break;
            var v = stack[i];
            bool markNext = markSet.Contains(i + 1), above = i + 1 < stack.Count;
            if (!inDict)
            {
                if (v is PyDict && above) { inDict = true; batched = markNext; atKey = true; key = null; }
                continue;
            }
            if (atKey)
            {
                if (PyValue.Text(v) is { Length: > 0 and <= 64 } t && t.All(ch => ch >= ' ' && ch < 127)) { key = t; atKey = false; }
                // anything else at a key position continues the value in progress
            }
            else if (v is PyDict d && above && key is not null && (markNext || !batched || d.Count == 0))
            {
                path.Add(key); key = null; atKey = true; batched = markNext;
            }
            else if (v is PyGlobal || (v is string && i + 2 == stack.Count && stack[i + 1] is string)) break;
            else atKey = true;
        }
        if (key is not null) path.Add(key);
        return string.Join("/", path);
    }
}
