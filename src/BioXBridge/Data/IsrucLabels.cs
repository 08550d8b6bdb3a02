using System.Globalization;

namespace BioXBridge.Data;

/// <summary>ISRUC sleep stages as the scorer files code them (R&amp;K-style 4 is not used; REM is 5).</summary>
public enum SleepStage { W = 0, N1 = 1, N2 = 2, N3 = 3, REM = 5 }

/// <summary>
/// ISRUC-Sleep scorer files (<c>&lt;n&gt;_1.txt</c>, <c>&lt;n&gt;_2.txt</c>): one stage code per line per 30-s epoch. The
/// files hold 30 more lines than the <c>.mat</c> has epochs; the release drops the <b>last</b> 30, and so do we.
/// Errors name the file and the 1-based line.
/// </summary>
public static class IsrucLabels
{
    public const int TrailingLabelsDropped = 30;

    /// <summary>Stage codes with the last 30 dropped. With <paramref name="expectedEpochs"/> (the <c>.mat</c>'s row count)
    /// a count mismatch is an error rather than a silent misalignment of labels and epochs.</summary>
    public static SleepStage[] Read(string path, int? expectedEpochs = null)
    {
        var lines = File.ReadAllLines(path);
        int n = lines.Length;
        while (n > 0 && string.IsNullOrWhiteSpace(lines[n - 1])) n--; // blank lines at the very end are not epochs
        var stages = new SleepStage[n];
        for (int i = 0; i < n; i++)
        {
            string s = lines[i].Trim();
            if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code) || !Enum.IsDefined((SleepStage)code))
                throw new InvalidDataException($"{path}: line {i + 1}: expected a sleep stage 0 (W), 1 (N1), 2 (N2), 3 (N3) or 5 (REM), found '{s}'");
            stages[i] = (SleepStage)code;
        }
        if (n <= TrailingLabelsDropped)
            throw new InvalidDataException($"{path}: holds {n} labels; the last {TrailingLabelsDropped} are dropped, so no epoch would remain");
        var kept = stages[..(n - TrailingLabelsDropped)];
        if (expectedEpochs is { } e && kept.Length != e)
            throw new InvalidDataException($"{path}: holds {n} labels, {kept.Length} after dropping the last {TrailingLabelsDropped}, but the recording has {e} epochs");
        return kept;
    }

    /// <summary>The paper's task: W → 0, N1/N2/N3/REM → 1.</summary>
    public static int[] Binary(IEnumerable<SleepStage> stages) => stages.Select(s => s == SleepStage.W ? 0 : 1).ToArray();

    /// <summary>Five classes 0..4 in the order W, N1, N2, N3, REM (REM's file code 5 becomes 4).</summary>
    public static int[] FiveClass(IEnumerable<SleepStage> stages) => stages.Select(s => s == SleepStage.REM ? 4 : (int)s).ToArray();
}
