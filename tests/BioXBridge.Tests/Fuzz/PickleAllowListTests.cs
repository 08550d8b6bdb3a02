using System.IO.Compression;
using System.Text;
using BioXBridge.Data;
using BioXBridge.Models;
using BioXBridge.Pickling;
using Xunit;

namespace BioXBridge.Tests.Fuzz;

/// <summary>
/// No pickle opcode runs code. Each payload below would, under Python's pickle, run <c>touch MARKER</c> through
/// os.system by one of the six ways a pickle calls something (REDUCE after GLOBAL or STACK_GLOBAL, INST, OBJ,
/// NEWOBJ, BUILD's __setstate__). The WESAD reader refuses the call by name; the checkpoint reader, whose real inputs
/// hold user classes (argparse.Namespace, HuBERTECGConfig), keeps it as an inert record. In both the marker must not appear.
/// </summary>
public class PickleAllowListTests
{
    static byte[] Str(string s) { var b = Encoding.UTF8.GetBytes(s); return [0x58, .. BitConverter.GetBytes(b.Length), .. b]; }   // BINUNICODE
    static byte[] Global(string module, string name) => [(byte)'c', .. Encoding.ASCII.GetBytes($"{module}\n{name}\n")];

    public static TheoryData<string> Ways => new() { "REDUCE", "STACK_GLOBAL", "INST", "OBJ", "NEWOBJ", "BUILD" };

    static byte[] Payload(string way, string cmd) => way switch
    {
        "REDUCE" => [0x80, 2, .. Global("os", "system"), .. Str(cmd), 0x85, (byte)'R', (byte)'.'],
        "STACK_GLOBAL" => [0x80, 4, .. Str("os"), .. Str("system"), 0x93, .. Str(cmd), 0x85, (byte)'R', (byte)'.'],
        "INST" => [(byte)'(', .. Str(cmd), (byte)'i', .. Encoding.ASCII.GetBytes("os\nsystem\n"), (byte)'.'],
        "OBJ" => [(byte)'(', .. Global("os", "system"), .. Str(cmd), (byte)'o', (byte)'.'],
        "NEWOBJ" => [0x80, 2, .. Global("os", "system"), .. Str(cmd), 0x85, 0x81, (byte)'.'],
        // BUILD calls __setstate__ on what REDUCE made: an object of a class outside the list, state = the command
        "BUILD" => [0x80, 2, .. Global("subprocess", "Popen"), (byte)')', (byte)'R', .. Str(cmd), (byte)'b', (byte)'.'],
        _ => throw new ArgumentException(way),
    };

    /// <summary>The same call as a value inside the dict a WESAD file is, so the top-level dict check cannot be what stops it.</summary>
    static byte[] Nested(byte[] payload)
    {
        int skip = payload[0] == 0x80 ? 2 : 0;
        return [0x80, 2, (byte)'}', .. Str("label"), .. payload[skip..^1], (byte)'s', (byte)'.'];
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void Wesad_reader_refuses_every_call_outside_its_allow_list(string way)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"bxb-pickle-{Guid.NewGuid():N}");
        foreach (var bytes in new[] { Payload(way, "touch " + marker), Nested(Payload(way, "touch " + marker)) })
        {
            var e = Assert.Throws<InvalidDataException>(() => WesadReader.Read(new MemoryStream(bytes), "evil.pkl"));
            Assert.StartsWith("evil.pkl: ", e.Message);
            Assert.Contains(way == "BUILD" ? "subprocess.Popen" : "os.system", e.Message);
            Assert.Contains("allow-list", e.Message);
        }
        Assert.False(File.Exists(marker), $"{way}: the marker file exists: the pickle ran a command");
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void Checkpoint_reader_keeps_an_unknown_call_as_an_inert_record(string way)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"bxb-pickle-{Guid.NewGuid():N}");
        var dir = Directory.CreateTempSubdirectory("bxb-pickle-").FullName;
        try
        {
            var pt = Path.Combine(dir, "evil.pt");
            using (var zip = ZipFile.Open(pt, ZipArchiveMode.Create))
            using (var s = zip.CreateEntry("evil/data.pkl").Open())
                s.Write(Payload(way, "touch " + marker));
            using var c = TorchCheckpoint.Open(pt);
            // An object whose class is a name and whose arguments are data: what an argparse.Namespace in a real
            // checkpoint becomes too. No .NET type is looked up by the pickled name and no Python exists to run it.
            var o = Assert.IsType<PyObject>(c.Root);
            Assert.Equal(way == "BUILD" ? "subprocess.Popen" : "os.system", o.Type.ToString());
        }
        finally { Directory.Delete(dir, true); }
        Assert.False(File.Exists(marker), $"{way}: the marker file exists: the pickle ran a command");
    }
}
