using System.Globalization;
using System.Text;

namespace BioXBridge.Pickling;

/// <summary>The text arguments of protocol 0's STRING and UNICODE opcodes, which are escaped literals.</summary>
internal static class PickleText
{
    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    /// <summary>STRING's argument: a Python-2 repr ('…' or "…") with backslash escapes → raw bytes.</summary>
    public static byte[] StringLiteral(string repr)
    {
        if (repr.Length < 2 || repr[0] != repr[^1] || (repr[0] != '\'' && repr[0] != '"'))
            throw new InvalidDataException("STRING argument is not quoted");
        var body = repr.AsSpan(1, repr.Length - 2);
        var o = new List<byte>(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\' || i + 1 == body.Length) { o.Add((byte)c); continue; }
            char e = body[++i];
            switch (e)
            {
                case 'n': o.Add(10); break;
                case 'r': o.Add(13); break;
                case 't': o.Add(9); break;
                case 'a': o.Add(7); break;
                case 'b': o.Add(8); break;
                case 'f': o.Add(12); break;
                case 'v': o.Add(11); break;
                case 'x':
                    if (i + 2 >= body.Length) throw new InvalidDataException("bad \\x escape in STRING");
                    o.Add(byte.Parse(body.Slice(i + 1, 2), NumberStyles.HexNumber, Inv)); i += 2; break;
                case >= '0' and <= '7':
                {
                    int v = 0, k = 0;
                    while (k < 3 && i < body.Length && body[i] >= '0' && body[i] <= '7') { v = v * 8 + (body[i] - '0'); i++; k++; }
                    i--; o.Add((byte)v); break;
                }
                default: o.Add((byte)e); break;   // \\, \', \" and unknown escapes keep the character
            }
        }
        return o.ToArray();
    }

    /// <summary>UNICODE's argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX; every other char is its latin-1 byte).</summary>
    public static string RawUnicodeEscape(string t)
    {
        var sb = new StringBuilder(t.Length);
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == '\\' && i + 1 < t.Length && (t[i + 1] == 'u' || t[i + 1] == 'U'))
            {
                int n = t[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + n > t.Length) throw new InvalidDataException("bad \\u escape in UNICODE");
                sb.Append(char.ConvertFromUtf32(int.Parse(t.AsSpan(i + 2, n), NumberStyles.HexNumber, Inv)));
                i += 1 + n;
            }
            else sb.Append(t[i]);
        }
        return sb.ToString();
    }
}
