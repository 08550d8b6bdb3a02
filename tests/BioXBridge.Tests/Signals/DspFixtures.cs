using System.Text.Json;
using Xunit;

namespace BioXBridge.Tests.Signals;

/// <summary>Reads the scipy golden vectors written by tools/golden/dsp_golden.py.</summary>
internal static class DspFixtures
{
    public const double Tolerance = 1e-6;

    public static IEnumerable<JsonElement> Cases(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dsp", name);
        Assert.True(File.Exists(path), $"missing fixture {path}; regenerate with /usr/bin/python3 tools/golden/dsp_golden.py");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    public static double[] Doubles(this JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>max|Δ| / max|ref| must stay within <see cref="Tolerance"/>; lengths must match exactly.</summary>
    public static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} samples, got {actual.Length}");
        double maxRef = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
        double rel = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        Assert.True(rel <= Tolerance, $"{what}: relative error {rel:E3} (max|Δ| {maxDiff:E3}, max|ref| {maxRef:E3})");
    }
}
