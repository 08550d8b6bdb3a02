using System.Text.Json;
using Xunit;

namespace BioXBridge.Tests.Evaluation;

/// <summary>
/// Reads the sklearn/numpy golden files written by tools/golden/evaluation_golden.py. They are copied next to
/// the test assembly, so tests never depend on the working directory.
/// </summary>
internal static class EvaluationFixtures
{
    public static JsonElement[] Cases(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "evaluation", name);
        Assert.True(File.Exists(path), $"Missing fixture {path}; run /usr/bin/python3 tools/golden/evaluation_golden.py");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static int[] Ints(this JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    public static double[] Doubles(this JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static double[][] Matrix(this JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    public static int[][] IntMatrix(this JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    public static string Name(this JsonElement e) => e.GetProperty("name").GetString()!;

    /// <summary>Seeded standard-normal matrix (Box–Muller) so synthetic tests are reproducible.</summary>
    public static double[][] Gaussian(Random rng, int rows, int cols)
    {
        var m = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            m[i] = new double[cols];
            for (int j = 0; j < cols; j++)
                m[i][j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        }
        return m;
    }
}
