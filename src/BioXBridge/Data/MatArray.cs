using System.Collections;

namespace BioXBridge.Data;

/// <summary>
/// One numeric MATLAB variable: its dimensions and its real values as double, in MATLAB's column-major order
/// (element (i, j) of a 2-D array is <c>ColumnMajor[i + j·rows]</c>). ISRUC's <c>ExtractedChannels</c> variables are
/// (epochs, 6000), so <see cref="Row"/> gives one 30-s epoch.
/// </summary>
public sealed record MatArray(string Name, string Class, int[] Dims, double[] ColumnMajor)
{
    public int Rows => Dims[0];
    public int Cols => Dims.Length == 2 ? Dims[1] : throw new InvalidOperationException($"variable '{Name}' has {Dims.Length} dimensions; Cols needs 2");

    public double this[int row, int col] => ColumnMajor[row + col * Rows];

    /// <summary>Row <paramref name="i"/> of a 2-D array, copied out of the column-major storage.</summary>
    public double[] Row(int i)
    {
        int rows = Rows, cols = Cols;
        if ((uint)i >= (uint)rows) throw new ArgumentOutOfRangeException(nameof(i), $"variable '{Name}' has {rows} rows; asked for row {i}");
        var r = new double[cols];
        for (int j = 0; j < cols; j++) r[j] = ColumnMajor[i + j * rows];
        return r;
    }

    public double[][] ToRows() => Enumerable.Range(0, Rows).Select(Row).ToArray();
}

/// <summary>
/// The variables of one MAT file. Asking for a variable that is absent, or present but of a kind this reader does
/// not decode (cell, struct, sparse, char, complex …), throws one error naming the file and the variable; such
/// variables do not stop the others from being read, because ISRUC files only need the numeric channels.
/// </summary>
public sealed class MatVariables(string path, IReadOnlyDictionary<string, MatArray> arrays, IReadOnlyDictionary<string, string> unsupported)
    : IReadOnlyDictionary<string, MatArray>
{
    public string Path { get; } = path;

    /// <summary>Variable name → why it was not decoded.</summary>
    public IReadOnlyDictionary<string, string> Unsupported { get; } = unsupported;

    public MatArray this[string name] => arrays.TryGetValue(name, out var a) ? a
        : Unsupported.TryGetValue(name, out var why) ? throw new NotSupportedException($"{Path}: variable '{name}': {why}")
        : throw new KeyNotFoundException($"{Path}: no variable '{name}'; the file holds {string.Join(", ", arrays.Keys.Concat(Unsupported.Keys).Select(k => $"'{k}'"))}");

    public IEnumerable<string> Keys => arrays.Keys;
    public IEnumerable<MatArray> Values => arrays.Values;
    public int Count => arrays.Count;
    public bool ContainsKey(string key) => arrays.ContainsKey(key);
    public bool TryGetValue(string key, out MatArray value) => arrays.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, MatArray>> GetEnumerator() => arrays.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
