using System.Buffers.Binary;
using System.Text;

namespace BioXBridge.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid file: the same (seed, input) always gives the same bytes, so a failing case is
/// reproduced by its seed alone. Binary edits aim at what hand-written readers trust: single bits, boundary
/// bytes, the end of the file, and 4/8-byte little-endian integers that a reader may take for a length or offset.
/// Text edits (<see cref="MutateText"/>) work on lines and numbers, where CSV/JSON readers go wrong.
/// </summary>
public static class Mutator
{
    static readonly byte[] Boundary = [0x00, 0xFF, 0x7F, 0x80];
    static readonly long[] LyingInts = [int.MaxValue, int.MinValue, -1, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 40, 0x7FFFFFF0];

    /// <summary>One to three binary edits of <paramref name="input"/>, chosen by <paramref name="caseSeed"/>.</summary>
    public static byte[] Mutate(byte[] input, int caseSeed)
    {
        var rng = new Random(caseSeed);
        var b = new List<byte>(input);
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits; e++) Apply(b, rng);
        return b.ToArray();
    }

    static void Apply(List<byte> b, Random rng)
    {
        if (b.Count == 0) { b.Add((byte)rng.Next(256)); return; }
        // Headers hold the length fields, so half the edits land in the first 512 bytes.
        int At(int width = 1) => Math.Max(0, (rng.Next(2) == 0 ? rng.Next(Math.Min(b.Count, 512)) : rng.Next(b.Count)) - width + 1);
        switch (rng.Next(7))
        {
            case 0: { int i = At(); b[i] ^= (byte)(1 << rng.Next(8)); break; }
            case 1: { int i = At(); b[i] = Boundary[rng.Next(Boundary.Length)]; break; }
            case 2: { int k = rng.Next(b.Count); b.RemoveRange(k, rng.Next(2) == 0 ? b.Count - k : Math.Min(1 + rng.Next(64), b.Count - k)); break; }
            case 3: { var r = new byte[1 + rng.Next(16)]; rng.NextBytes(r); b.InsertRange(rng.Next(b.Count + 1), r); break; }
            case 4:
            {
                int from = rng.Next(b.Count), len = Math.Min(1 + rng.Next(64), b.Count - from);
                b.InsertRange(rng.Next(b.Count + 1), b.GetRange(from, len));
                break;
            }
            default:
            {
                // A length-like field that lies: an aligned 4- or 8-byte little-endian integer set huge or negative.
                int width = rng.Next(2) == 0 ? 4 : 8;
                if (b.Count < width) { b[0] = 0xFF; break; }
                int i = Math.Min(At(width) & ~(width - 1), b.Count - width);
                long v = LyingInts[rng.Next(LyingInts.Length)];
                var span = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(span, v);
                for (int k = 0; k < width; k++) b[i + k] = span[k];
                break;
            }
        }
    }

    /// <summary>Truncates at a random point: kept separate so each fuzz loop can give truncation its own share.</summary>
    public static byte[] Truncate(byte[] input, int caseSeed) => input[..new Random(caseSeed).Next(input.Length)];

    static readonly string[] HugeNumbers = ["99999999999999999999999", "-2147483649", "1e400", "-1e400", "NaN", "-0", "0x10", "1.5", "2147483648", ""];

    /// <summary>Token-level edits of a text file: delete or duplicate a line, swap two digits, put in a huge or odd
    /// number, deep nesting, a cut in the middle of a token. Falls back to a byte edit one time in five.</summary>
    public static string MutateText(string text, int caseSeed)
    {
        var rng = new Random(caseSeed);
        if (rng.Next(5) == 0) return Encoding.UTF8.GetString(Mutate(Encoding.UTF8.GetBytes(text), caseSeed));
        var lines = text.Split('\n').ToList();
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits && lines.Count > 0; e++)
        {
            int li = rng.Next(lines.Count);
            string line = lines[li];
            switch (rng.Next(7))
            {
                case 0: lines.RemoveAt(li); break;
                case 1: lines.Insert(li, line); break;
                case 2:
                {
                    var digits = Enumerable.Range(0, line.Length).Where(i => char.IsDigit(line[i])).ToArray();
                    if (digits.Length < 2) goto case 3;
                    int a = digits[rng.Next(digits.Length)], c = digits[rng.Next(digits.Length)];
                    var ch = line.ToCharArray();
                    (ch[a], ch[c]) = (ch[c], ch[a]);
                    lines[li] = new string(ch);
                    break;
                }
                case 3: lines[li] = ReplaceNumber(line, HugeNumbers[rng.Next(HugeNumbers.Length)], rng); break;
                case 4:
                {
                    int depth = 1 + rng.Next(5000), at = rng.Next(line.Length + 1);
                    string open = rng.Next(2) == 0 ? "[" : "{\"a\":";
                    lines[li] = line[..at] + string.Concat(Enumerable.Repeat(open, depth)) + line[at..];
                    break;
                }
                case 5: lines[li] = line[..rng.Next(line.Length + 1)]; break;
                default:
                {
                    // A separator added or removed shifts every later column.
                    char[] seps = [',', ':', '"', ' ', '\t'];
                    int at = rng.Next(line.Length + 1);
                    lines[li] = rng.Next(2) == 0 || line.Length == 0 ? line.Insert(at, seps[rng.Next(seps.Length)].ToString())
                        : line.Remove(Math.Min(at, line.Length - 1), 1);
                    break;
                }
            }
        }
        return string.Join('\n', lines);
    }

    static string ReplaceNumber(string line, string with, Random rng)
    {
        var starts = Enumerable.Range(0, line.Length).Where(i => char.IsDigit(line[i]) && (i == 0 || !char.IsDigit(line[i - 1]))).ToArray();
        if (starts.Length == 0) return line + with;
        int s = starts[rng.Next(starts.Length)], end = s;
        while (end < line.Length && (char.IsDigit(line[end]) || line[end] == '.')) end++;
        return line[..s] + with + line[end..];
    }
}
