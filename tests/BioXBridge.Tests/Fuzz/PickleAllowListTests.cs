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
/// NEWOBJ, BUILD's __setstate__). Both readers refuse the call by name (the checkpoint reader's list also holds the
/// data classes real checkpoints carry: argparse.Namespace, HuBERTECGConfig, numpy scalars), and the marker never appears.
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
    public void Checkpoint_reader_refuses_every_call_outside_its_allow_list(string way)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"bxb-pickle-{Guid.NewGuid():N}");
        var dir = Directory.CreateTempSubdirectory("bxb-pickle-").FullName;
        try
        {
            var pt = Path.Combine(dir, "evil.pt");
            using (var zip = ZipFile.Open(pt, ZipArchiveMode.Create))
            using (var s = zip.CreateEntry("evil/data.pkl").Open())
                s.Write(Nested(Payload(way, "touch " + marker)));
            var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(pt).Dispose());
            Assert.StartsWith(pt + ": ", e.Message);
            Assert.Contains(way == "BUILD" ? "subprocess.Popen" : "os.system", e.Message);
            Assert.Contains("allow-list", e.Message);
        }
        finally { Directory.Delete(dir, true); }
        Assert.False(File.Exists(marker), $"{way}: the marker file exists: the pickle ran a command");
    }

    /// <summary>The classes real checkpoints hold beside their weights stay readable, in every protocol's way of pickling an object.</summary>
    [Theory]
    [InlineData("argparse", "Namespace")]
    [InlineData("hubert_ecg", "HuBERTECGConfig")]
    [InlineData("__main__", "TinyHubertConfig")]
    [InlineData("numpy.core.multiarray", "scalar")]
    public void Checkpoint_reader_keeps_the_data_classes_of_real_checkpoints_as_records(string module, string name)
    {
        var dir = Directory.CreateTempSubdirectory("bxb-pickle-").FullName;
        try
        {
            byte[][] ways =
            [
                [0x80, 2, .. Global(module, name), (byte)')', 0x81, (byte)'}', (byte)'b', (byte)'.'],                               // NEWOBJ + BUILD
                [.. Global("copy_reg", "_reconstructor"), (byte)'(', .. Global(module, name), .. Global("__builtin__", "object"),
                    (byte)'N', (byte)'t', (byte)'R', (byte)'.'],                                                                   // protocol 0
            ];
            foreach (var bytes in ways)
            {
                var pt = Path.Combine(dir, $"ok-{Guid.NewGuid():N}.pt");
                using (var zip = ZipFile.Open(pt, ZipArchiveMode.Create))
                using (var s = zip.CreateEntry("ok/data.pkl").Open())
                    s.Write(bytes);
                using var c = TorchCheckpoint.Open(pt);
                Assert.Equal($"{module}.{name}", Assert.IsType<PyObject>(c.Root).Type.ToString());
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
