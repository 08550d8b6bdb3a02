using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace BioXBridge.Pickling;

/// <summary>A damaged or unsupported pickle: where (byte offset) and in which dict field it happened.</summary>
internal sealed class PickleFailure(string message, long offset, string field, bool truncated, Exception? inner = null)
    : Exception(message, inner)
{
    public long Offset { get; } = offset;
    /// <summary>The dict-key path being read, e.g. <c>signal/chest/ECG</c>; empty at the top level.</summary>
    public string Field { get; } = field;
    public bool Truncated { get; } = truncated;
}

/// <summary>
/// A self-contained pickle machine (protocols 0–5) that builds plain values (see PyValues.cs) and leaves every class
/// to a <see cref="PickleClasses"/>, so numpy arrays and torch tensors are each one reader's business and nothing is
/// ever resolved or executed. Every failure is a <see cref="PickleFailure"/>, so a damaged file gives one error that
/// names the offset and field, never a cast or format exception from deep inside.
/// </summary>
/// <remarks>
/// Why not Razorvine.Pickle: its constructor registry is process-wide and shared with TorchSharp.PyBridge, its
/// Python-2 strings arrive as .NET strings (3× the array's size in memory while loading a ~300 MB SX.pkl), and its
/// failures on damaged files are library exceptions without offset or field.
/// </remarks>
internal sealed class PickleMachine
{
    private readonly Stream s;
    private readonly long length;
    private readonly PickleClasses classes;
    private long pos;
    private readonly List<object?> stack = new();
    private readonly List<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    private PickleMachine(Stream input, long length, PickleClasses classes)
    {
        s = input is BufferedStream or MemoryStream ? input : new BufferedStream(input, 1 << 16);
        (this.length, this.classes) = (length, classes);
    }

    /// <summary>Unpickles one object from <paramref name="stream"/> (<paramref name="length"/> bytes, or −1 if unknown).</summary>
    public static object? Load(Stream stream, long length, PickleClasses classes) => new PickleMachine(stream, length, classes).Run();

    private object? Run()
    {
        long opAt = 0;
        try
        {
            while (true)
            {
                opAt = pos;
                int op = s.ReadByte();
                if (op < 0) throw new EndOfStreamException("the file ends before the pickle's STOP opcode");
                pos++;
                if (Step((byte)op, out var result)) return result;
            }
        }
        catch (PickleFailure) { throw; }
        catch (EndOfStreamException e)
        {
            throw new PickleFailure($"{e.Message} (at byte {pos}{(length >= 0 ? $" of {length}" : "")})", pos, Field(), true, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // our own InvalidDataExceptions, or the cast/format/overflow/IO exception a damaged file causes
            var what = e is InvalidDataException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            throw new PickleFailure($"{what} (opcode at byte {opAt})", opAt, Field(), false, e);
        }
    }

    private string Field() => PickleFieldPath.Of(stack, marks);

    // ---- input -----------------------------------------------------------------------------------------------

    private byte Byte()
    {
        int b = s.ReadByte();
        if (b < 0) throw new EndOfStreamException("the file ends inside an opcode");
        pos++;
        return (byte)b;
    }

    private byte[] Bytes(long n, string what)
    {
        if (n < 0) throw new InvalidDataException($"negative length {n} of a {what}");
        // a damaged length must fail as truncation, not as an attempt to allocate gigabytes
        if (length >= 0 && n > length - pos)
            throw new EndOfStreamException($"a {what} of {n} bytes starts at byte {pos} but only {length - pos} bytes remain");
        if (n > Array.MaxLength) throw new InvalidDataException($"a {what} of {n} bytes is too large");
        var buf = new byte[n];
        int read = 0;
        while (read < n)
        {
            int k = s.Read(buf, read, (int)n - read);
            if (k == 0) throw new EndOfStreamException($"the file ends inside a {what} of {n} bytes (after {read})");
            read += k;
        }
        pos += n;
        return buf;
    }

    private int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, "4-byte integer"));
    private uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, "4-byte length"));
    private long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, "8-byte length"));

    private string Line()
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = Byte();
            if (b == (byte)'\n') return sb.ToString();
            if (sb.Length > 1 << 20) throw new InvalidDataException("text argument longer than 1 MiB without a newline");
            sb.Append((char)b);   // protocol 0 text is ASCII (escapes for the rest)
        }
    }

    // ---- stack -----------------------------------------------------------------------------------------------

    private object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count))
            throw new InvalidDataException("pickle stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object? Peek() => stack.Count > 0 ? stack[^1] : throw new InvalidDataException("pickle stack underflow");

    private List<object?> PopMark()
    {
        if (marks.Count == 0) throw new InvalidDataException("pickle MARK missing");
        int m = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(m, stack.Count - m);
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }

    private object? Memo(long key) => memo.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"memo key {key} is missing");

    private object?[] Tuple(object? o) => o as object?[] ?? throw new InvalidDataException($"expected a tuple, found {classes.Describe(o)}");
    private List<object?> AsList(object? o) => o as List<object?> ?? throw new InvalidDataException($"append to {classes.Describe(o)}");
    private PyDict AsDict(object? o) => o as PyDict ?? throw new InvalidDataException($"set item on {classes.Describe(o)}");

    private static object Int(BigInteger big) => big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    private static object Long(byte[] b) => b.Length == 0 ? 0L : Int(new BigInteger(b, isUnsigned: false, isBigEndian: false));

    private object Python2Str(byte[] b) => classes.Python2StrAsBytes ? b : Encoding.Latin1.GetString(b);

    // ---- opcodes ---------------------------------------------------------------------------------------------

    private bool Step(byte op, out object? result)
    {
        result = null;
        switch (op)
        {
            case 0x80: { var p = Byte(); if (p > 5) throw new InvalidDataException($"unsupported pickle protocol {p}"); break; }
            case 0x95: Int64(); break;                                      // FRAME (a length hint only)
            case (byte)'.': result = Pop(); return true;                    // STOP
            case (byte)'(': marks.Add(stack.Count); break;                  // MARK
            case (byte)'0': Pop(); break;                                   // POP
            case (byte)'1': PopMark(); break;                               // POP_MARK
            case (byte)'2': stack.Add(Peek()); break;                       // DUP
            case (byte)'N': stack.Add(null); break;
            case 0x88: stack.Add(true); break;
            case 0x89: stack.Add(false); break;
            case (byte)'J': stack.Add((long)Int32()); break;
            case (byte)'K': stack.Add((long)Byte()); break;
            case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, "2-byte integer"))); break;
            case 0x8A: stack.Add(Long(Bytes(Byte(), "LONG1"))); break;
            case 0x8B: stack.Add(Long(Bytes(Int32(), "LONG4"))); break;
            case (byte)'I':
            {
                var t = Line();
                stack.Add(t == "00" ? false : t == "01" ? true : (object)long.Parse(t, NumberStyles.AllowLeadingSign, Inv));
                break;
            }
            case (byte)'L': stack.Add(Int(BigInteger.Parse(Line().TrimEnd('L'), NumberStyles.AllowLeadingSign, Inv))); break;
            case (byte)'F': stack.Add(double.Parse(Line(), NumberStyles.Float, Inv)); break;
            case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8, "BINFLOAT"))); break;
            // unicode strings
            case (byte)'X': stack.Add(Utf8(Bytes(UInt32(), "BINUNICODE"))); break;
            case 0x8C: stack.Add(Utf8(Bytes(Byte(), "SHORT_BINUNICODE"))); break;
            case 0x8D: stack.Add(Utf8(Bytes(Int64(), "BINUNICODE8"))); break;
            case (byte)'V': stack.Add(PickleText.RawUnicodeEscape(Line())); break;
            // Python-2 str: raw 8-bit data
            case (byte)'S': stack.Add(Python2Str(PickleText.StringLiteral(Line()))); break;
            case (byte)'T': stack.Add(Python2Str(Bytes(Int32(), "BINSTRING"))); break;
            case (byte)'U': stack.Add(Python2Str(Bytes(Byte(), "SHORT_BINSTRING"))); break;
            // Python-3 bytes / bytearray
            case (byte)'B': stack.Add(Bytes(UInt32(), "BINBYTES")); break;
            case (byte)'C': stack.Add(Bytes(Byte(), "SHORT_BINBYTES")); break;
            case 0x8E: stack.Add(Bytes(Int64(), "BINBYTES8")); break;
            case 0x96: stack.Add(Bytes(Int64(), "BYTEARRAY8")); break;
            case 0x97: throw new InvalidDataException("out-of-band buffers (NEXT_BUFFER) are not supported");
            case 0x98: break;                                               // READONLY_BUFFER
            // containers
            case (byte)')': stack.Add(Array.Empty<object?>()); break;
            case (byte)'t': stack.Add(PopMark().ToArray()); break;
            case 0x85: stack.Add(new[] { Pop() }); break;
            case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
            case (byte)']': stack.Add(new List<object?>()); break;
            case (byte)'l': stack.Add(PopMark()); break;
            case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; }
            case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
            case (byte)'}': stack.Add(new PyDict()); break;
            case (byte)'d': { var items = PopMark(); var d = new PyDict(); SetItems(d, items); stack.Add(d); break; }
            case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek()).Set(k, v); break; }
            case (byte)'u': { var items = PopMark(); SetItems(AsDict(Peek()), items); break; }
            case 0x8F: stack.Add(new List<object?>()); break;               // EMPTY_SET
            case 0x90: { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
            case 0x91: stack.Add(PopMark()); break;                         // FROZENSET
            // classes, calls and persistent ids: the reader's PickleClasses decides
            case (byte)'c': { var module = Line(); var name = Line(); stack.Add(new PyGlobal(module, name)); break; }
            case 0x93:
            {
                var name = Pop() as string; var module = Pop() as string;
                if (name is null || module is null) throw new InvalidDataException("STACK_GLOBAL without two strings");
                stack.Add(new PyGlobal(module, name));
                break;
            }
            case (byte)'R': { var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; }   // REDUCE
            case 0x81: { var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; }        // NEWOBJ
            case 0x92: { Pop(); var args = Tuple(Pop()); stack.Add(Call(Pop(), args)); break; } // NEWOBJ_EX
            case (byte)'o': { var items = PopMark(); if (items.Count == 0) throw new InvalidDataException("OBJ without a class"); stack.Add(Call(items[0], items.Skip(1).ToArray())); break; }
            case (byte)'i': { var g = new PyGlobal(Line(), Line()); stack.Add(Call(g, PopMark().ToArray())); break; }
            case (byte)'b': { var state = Pop(); classes.Build(Peek(), state); break; }         // BUILD
            case (byte)'Q': stack.Add(classes.Persistent(Pop())); break;                       // BINPERSID
            case (byte)'P': stack.Add(classes.Persistent(Line())); break;                      // PERSID
            // memo
            case (byte)'p': memo[long.Parse(Line(), Inv)] = Peek(); break;
            case (byte)'q': memo[Byte()] = Peek(); break;
            case (byte)'r': memo[UInt32()] = Peek(); break;
            case 0x94: memo[memo.Count] = Peek(); break;                    // MEMOIZE
            case (byte)'g': stack.Add(Memo(long.Parse(Line(), Inv))); break;
            case (byte)'h': stack.Add(Memo(Byte())); break;
            case (byte)'j': stack.Add(Memo(UInt32())); break;
            default: throw new InvalidDataException($"unknown pickle opcode 0x{op:x2}");
        }
        return false;
    }

    private static void SetItems(PyDict d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
    }

    private object? Call(object? callable, object?[] args) =>
        callable is PyGlobal g ? classes.Call(g, args) : throw new InvalidDataException($"call of {classes.Describe(callable)}");

    private static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
