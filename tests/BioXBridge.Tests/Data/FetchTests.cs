using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BioXBridge.Cli;
using BioXBridge.Data;
using BioXBridge.Data.Fetch;
using Xunit;

namespace BioXBridge.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port): one request per connection, GET only, honours
/// <c>Range: bytes=N-</c>, and can cut a response after a given number of body bytes. Accepts at most 200 connections
/// and stops on Dispose. Never touches anything but loopback.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource cts = new();
    private readonly Task loop;
    private int cutsLeft;

    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    /// <summary>The Range header of every request, in order (null: none).</summary>
    public ConcurrentQueue<string?> Ranges { get; } = new();
    public bool IgnoreRange { get; set; }
    public int CutAfterBytes { get; set; }

    public LoopbackServer()
    {
        listener.Start();
        loop = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;
    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}";

    /// <summary>The next <paramref name="count"/> responses send only <see cref="CutAfterBytes"/> body bytes, then close.</summary>
    public void CutNext(int count, int afterBytes) { CutAfterBytes = afterBytes; Volatile.Write(ref cutsLeft, count); }

    private async Task AcceptLoop()
    {
        for (int i = 0; i < 200 && !cts.IsCancellationRequested; i++)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(cts.Token); }
            catch { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buf = new byte[1];
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                while (head.Length < 16384 && !head.ToString().EndsWith("\r\n\r\n"))
                {
                    if (await stream.ReadAsync(buf, timeout.Token) == 0) return;
                    head.Append((char)buf[0]);
                }
                var lines = head.ToString().Split("\r\n");
                var path = lines[0].Split(' ')[1].TrimStart('/');
                string? range = lines.FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
                Ranges.Enqueue(range);
                if (!Files.TryGetValue(path, out var data))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }
                long start = 0;
                if (range is not null && !IgnoreRange && range.StartsWith("bytes=") && range.EndsWith('-')) start = long.Parse(range[6..^1]);
                if (start >= data.Length && start > 0)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{data.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }
                var header = start > 0
                    ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{data.Length - 1}/{data.Length}\r\n"
                    : "HTTP/1.1 200 OK\r\n";
                header += $"Content-Length: {data.Length - start}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header));
                int body = data.Length - (int)start;
                if (Interlocked.Decrement(ref cutsLeft) >= 0) body = Math.Min(body, CutAfterBytes);
                await stream.WriteAsync(data.AsMemory((int)start, body));
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        cts.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        cts.Dispose();
    }
}

public sealed class FetchTests : IDisposable
{
    private readonly string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bioxbridge-fetch-" + Guid.NewGuid().ToString("N"))).FullName;
    private readonly LoopbackServer server = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        http.Dispose();
        server.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private static byte[] Bytes(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private Downloader NewDownloader(int attempts = 3) => new(http) { MaxAttempts = attempts, RetryDelay = TimeSpan.Zero };

    [Fact]
    public void Full_download_lands_under_its_name_with_the_right_hash()
    {
        var data = Bytes(200_000);
        server.Files["a.bin"] = data;
        var target = Path.Combine(dir, "sub", "a.bin");
        var reports = new List<ProgressReport>();
        var r = NewDownloader().Download(new DownloadRequest(new Uri(server.Url("a.bin")), target, data.Length, Sha(data)), new SyncProgress(reports.Add));
        Assert.False(r.AlreadyPresent);
        Assert.Equal(Sha(data), r.Sha256);
        Assert.Equal(data, File.ReadAllBytes(target));
        Assert.False(File.Exists(target + Downloader.PartSuffix));
        Assert.Equal([null], server.Ranges);
        Assert.NotEmpty(reports);
        Assert.Equal(200_000 / 1024, reports[^1].Done);

        var again = NewDownloader().Download(new DownloadRequest(new Uri(server.Url("a.bin")), target, null, Sha(data)));
        Assert.True(again.AlreadyPresent);
        Assert.Single(server.Ranges); // no second request
    }

    [Fact]
    public void Dropped_connection_is_resumed_with_a_range_request_in_the_same_call()
    {
        var data = Bytes(300_000, 2);
        server.Files["b.bin"] = data;
        server.CutNext(1, 70_000);
        var target = Path.Combine(dir, "b.bin");
        var r = NewDownloader().Download(new DownloadRequest(new Uri(server.Url("b.bin")), target, null, Sha(data)));
        Assert.Equal(2, r.Attempts);
        Assert.Equal(Sha(data), Downloader.HashFile(target));
        Assert.Equal([null, "bytes=70000-"], server.Ranges);
    }

    [Fact]
    public void Interrupted_download_keeps_its_part_and_the_next_call_resumes_it()
    {
        var data = Bytes(250_000, 3);
        server.Files["c.bin"] = data;
        server.CutNext(1, 100_000);
        var target = Path.Combine(dir, "c.bin");
        var e = Assert.Throws<DownloadException>(() => NewDownloader(attempts: 1).Download(new DownloadRequest(new Uri(server.Url("c.bin")), target, data.Length, Sha(data))));
        Assert.Contains("run fetch again to resume", e.Message);
        Assert.False(File.Exists(target));
        Assert.Equal(100_000, new FileInfo(target + Downloader.PartSuffix).Length);

        var r = NewDownloader().Download(new DownloadRequest(new Uri(server.Url("c.bin")), target, data.Length, Sha(data)));
        Assert.Equal(100_000, r.ResumedFrom);
        Assert.Equal(Sha(data), Downloader.HashFile(target));
        Assert.Equal("bytes=100000-", server.Ranges.Last());
        Assert.False(File.Exists(target + Downloader.PartSuffix));
    }

    [Fact]
    public void A_server_that_ignores_the_range_restarts_the_file_from_zero()
    {
        var data = Bytes(50_000, 4);
        server.Files["d.bin"] = data;
        server.IgnoreRange = true;
        var target = Path.Combine(dir, "d.bin");
        File.WriteAllBytes(target + Downloader.PartSuffix, Bytes(1000, 99)); // wrong bytes from some earlier attempt
        NewDownloader().Download(new DownloadRequest(new Uri(server.Url("d.bin")), target, null, Sha(data)));
        Assert.Equal(data, File.ReadAllBytes(target));
    }

    [Fact]
    public void Wrong_hash_leaves_no_file_under_the_final_name_and_no_part()
    {
        // Decision: the .part is deleted — its bytes are known to be wrong, so a later resume could never succeed.
        var data = Bytes(40_000, 5);
        server.Files["e.bin"] = data;
        var target = Path.Combine(dir, "e.bin");
        var e = Assert.Throws<InvalidDataException>(() => NewDownloader().Download(new DownloadRequest(new Uri(server.Url("e.bin")), target, null, new string('0', 64))));
        Assert.Contains("does not match", e.Message);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(target + Downloader.PartSuffix));

        var sizeError = Assert.Throws<InvalidDataException>(() => NewDownloader().Download(new DownloadRequest(new Uri(server.Url("e.bin")), target, 39_999, null)));
        Assert.Contains("39999", sizeError.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void An_existing_file_with_another_hash_is_never_overwritten()
    {
        server.Files["f.bin"] = Bytes(1000, 6);
        var target = Path.Combine(dir, "f.bin");
        File.WriteAllText(target, "mine");
        Assert.Throws<InvalidDataException>(() => NewDownloader().Download(new DownloadRequest(new Uri(server.Url("f.bin")), target, null, Sha(Bytes(1000, 6)))));
        Assert.Equal("mine", File.ReadAllText(target));
        Assert.Empty(server.Ranges);
    }

    [Fact]
    public void Http_404_fails_at_once_naming_the_status()
    {
        var target = Path.Combine(dir, "nope.bin");
        var e = Assert.Throws<DownloadException>(() => NewDownloader(attempts: 5).Download(new DownloadRequest(new Uri(server.Url("nope.bin")), target)));
        Assert.Contains("404", e.Message);
        Assert.False(e.Retryable);
        Assert.Single(server.Ranges);
        Assert.Empty(Directory.GetFiles(dir));
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in entries)
                using (var w = new StreamWriter(zip.CreateEntry(name).Open())) w.Write(text);
        return ms.ToArray();
    }

    [Fact]
    public void Zip_extracts_into_the_destination_and_a_rerun_skips_what_is_there()
    {
        var zip = Path.Combine(dir, "ok.zip");
        File.WriteAllBytes(zip, Zip(("WESAD/S2/S2.pkl", "pickle"), ("WESAD/readme.txt", "hello")));
        var dest = Path.Combine(dir, "out");
        var r = Archives.ExtractZip(zip, dest);
        Assert.Equal(2, r.FilesWritten);
        Assert.Equal("pickle", File.ReadAllText(Path.Combine(dest, "WESAD", "S2", "S2.pkl")));
        var again = Archives.ExtractZip(zip, dest);
        Assert.Equal((0, 2), (again.FilesWritten, again.FilesSkipped));
        Assert.Empty(Directory.GetFiles(dest, "*.extracting-*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("a/../../evil.txt")]
    [InlineData("/tmp/evil.txt")]
    [InlineData("..\\evil.txt")]
    public void Zip_with_a_path_traversal_entry_is_rejected_before_anything_is_written(string evil)
    {
        var zip = Path.Combine(dir, "bad.zip");
        File.WriteAllBytes(zip, Zip(("good.txt", "fine"), (evil, "gotcha")));
        var dest = Path.Combine(dir, "inner", "out");
        var e = Assert.Throws<InvalidDataException>(() => Archives.ExtractZip(zip, dest));
        Assert.Contains(evil, e.Message);
        Assert.False(Directory.Exists(dest));
        Assert.False(File.Exists(Path.Combine(dir, "inner", "evil.txt")));
        Assert.False(File.Exists(Path.Combine(dir, "evil.txt")));
    }

    [Fact]
    public void Rar_extraction_rejects_a_file_that_is_not_a_rar_archive()
    {
        var fake = Path.Combine(dir, "1.rar");
        File.WriteAllText(fake, "<html>this is a landing page</html>");
        var e = Assert.Throws<InvalidDataException>(() => Archives.Extract(fake, "rar", Path.Combine(dir, "RawData")));
        Assert.Contains("not a RAR archive", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "RawData")));

        var corrupt = Path.Combine(dir, "2.rar");
        File.WriteAllBytes(corrupt, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00, .. Bytes(64, 11)]);
        Assert.Contains("2.rar", Assert.Throws<InvalidDataException>(() => Archives.Extract(corrupt, "rar", Path.Combine(dir, "RawData"))).Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "RawData")));
    }

    /// <summary>A RAR 4.x archive with stored (uncompressed) entries, written byte by byte from the format's technote.</summary>
    private static byte[] Rar(params (string Name, string Text)[] entries)
    {
        var ms = new MemoryStream();
        ms.Write([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00]);
        void Block(byte[] afterCrc)
        {
            ms.Write(BitConverter.GetBytes((ushort)(Crc32(afterCrc) & 0xffff)));
            ms.Write(afterCrc);
        }
        Block([0x73, 0x00, 0x00, 13, 0, 0, 0, 0, 0, 0, 0]);
        foreach (var (name, text) in entries)
        {
            var data = Encoding.UTF8.GetBytes(text);
            var n = Encoding.ASCII.GetBytes(name);
            var h = new MemoryStream();
            h.WriteByte(0x74);
            h.Write(BitConverter.GetBytes((ushort)0x8000));
            h.Write(BitConverter.GetBytes((ushort)(32 + n.Length)));
            h.Write(BitConverter.GetBytes((uint)data.Length)); // packed size
            h.Write(BitConverter.GetBytes((uint)data.Length)); // unpacked size
            h.WriteByte(3);                                     // host OS: Unix
            h.Write(BitConverter.GetBytes(Crc32(data)));
            h.Write(BitConverter.GetBytes(0x5B210000u));        // DOS time 2025-09-01
            h.WriteByte(20);                                    // version needed 2.0
            h.WriteByte(0x30);                                  // method: store
            h.Write(BitConverter.GetBytes((ushort)n.Length));
            h.Write(BitConverter.GetBytes(0x81A4u));            // attributes: regular file 0644
            h.Write(n);
            Block(h.ToArray());
            ms.Write(data);
        }
        Block([0x7b, 0x00, 0x40, 7, 0]);
        return ms.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xffffffff;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Rar_extracts_with_sharpcompress_and_rejects_path_traversal()
    {
        var rar = Path.Combine(dir, "7.rar");
        File.WriteAllBytes(rar, Rar(("7/7.rec", "edf bytes"), ("7/7_1.txt", "0\n1\n")));
        var dest = Path.Combine(dir, "RawData");
        var r = Archives.Extract(rar, "rar", dest);
        Assert.Equal(2, r.FilesWritten);
        Assert.Equal("edf bytes", File.ReadAllText(Path.Combine(dest, "7", "7.rec")));
        Assert.Equal("0\n1\n", File.ReadAllText(Path.Combine(dest, "7", "7_1.txt")));

        var bad = Path.Combine(dir, "8.rar");
        File.WriteAllBytes(bad, Rar(("8/8.rec", "fine"), ("../evil.txt", "gotcha")));
        var e = Assert.Throws<InvalidDataException>(() => Archives.Extract(bad, "rar", Path.Combine(dir, "inner", "RawData")));
        Assert.Contains("evil.txt", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "inner", "RawData")));
        Assert.False(File.Exists(Path.Combine(dir, "inner", "evil.txt")));
    }

    private string WriteManifest(string name, Action<JsonObject>? edit = null, params (string File, string Url, string? Sha, string Extract)[] files)
    {
        var m = new JsonObject
        {
            ["schema"] = DatasetManifest.SchemaId, ["name"] = name, ["synthetic"] = false, ["description"] = "test data set",
            ["homepage"] = "http://127.0.0.1/", ["citation"] = "nobody",
            ["license"] = new JsonObject { ["spdx"] = null, ["verified"] = false },
            ["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.File, ["url"] = f.Url, ["size_bytes"] = null, ["sha256"] = f.Sha, ["verified"] = false,
                ["extract"] = f.Extract, ["extract_to"] = ".",
            }).ToArray()),
            ["expected_tree"] = new JsonObject { ["verified"] = true, ["paths"] = new JsonArray("data/x.txt") },
            ["subjects"] = new JsonArray("S1"),
            ["signals"] = new JsonArray(new JsonObject { ["name"] = "ecg", ["rate_hz"] = 100 }),
            ["labels"] = new JsonObject(),
        };
        edit?.Invoke(m);
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, m.ToJsonString());
        return path;
    }

    [Fact]
    public void Fetch_writes_the_lock_file_extracts_and_a_rerun_downloads_nothing()
    {
        var zipBytes = Zip(("data/x.txt", "x"));
        server.Files["pack.zip"] = zipBytes;
        server.Files["raw.bin"] = Bytes(5000, 7);
        var manifest = DatasetManifest.Load(WriteManifest("toy", null,
            ("pack.zip", server.Url("pack.zip"), null, "zip"), ("raw.bin", server.Url("raw.bin"), Sha(Bytes(5000, 7)), "none")));
        var root = Path.Combine(dir, "root");
        var log = new StringWriter();
        Assert.Equal(0, DatasetFetch.Fetch(manifest, root, null, NewDownloader(), log));
        Assert.Equal("x", File.ReadAllText(Path.Combine(root, "toy", "data", "x.txt")));

        var lockJson = JsonNode.Parse(File.ReadAllText(Path.Combine(root, LockFile.FileName)))!;
        Assert.Equal(LockFile.SchemaId, (string?)lockJson["schema"]);
        var lf = LockFile.Load(root);
        var pack = lf.Find("toy", "toy/pack.zip")!;
        Assert.Equal(server.Url("pack.zip"), pack.Url);
        Assert.Equal(zipBytes.Length, pack.SizeBytes);
        Assert.Equal(Sha(zipBytes), pack.Sha256);
        Assert.Equal("toy", pack.ExtractedTo);
        Assert.True(DateTimeOffset.UtcNow - pack.FetchedAt < TimeSpan.FromMinutes(1));
        Assert.Equal(Sha(Bytes(5000, 7)), lf.Find("toy", "toy/raw.bin")!.Sha256);
        Assert.Empty(Directory.GetFiles(root, "*.tmp"));

        int requests = server.Ranges.Count;
        var log2 = new StringWriter();
        Assert.Equal(0, DatasetFetch.Fetch(manifest, root, "pack.zip", NewDownloader(), log2));
        Assert.Equal(requests, server.Ranges.Count);
        Assert.Contains("already extracted", log2.ToString());

        Assert.Throws<ArgumentException>(() => DatasetFetch.Fetch(manifest, root, "nothere.bin", NewDownloader(), log2));
    }

    [Fact]
    public void Data_verify_reports_a_changed_file_and_a_missing_one()
    {
        server.Files["raw.bin"] = Bytes(3000, 8);
        server.Files["other.bin"] = Bytes(2000, 9);
        var path = WriteManifest("toy2", null, ("raw.bin", server.Url("raw.bin"), null, "none"), ("other.bin", server.Url("other.bin"), null, "none"));
        var root = Path.Combine(dir, "root2");
        DatasetFetch.Fetch(DatasetManifest.Load(path), root, null, NewDownloader(), TextWriter.Null);

        var ok = new StringWriter();
        Assert.Equal(0, DataCommand.Dispatch(["verify", path, "--root", root], ok));
        Assert.Contains("2 ok, 0 changed, 0 missing", ok.ToString());

        File.WriteAllBytes(Path.Combine(root, "toy2", "raw.bin"), Bytes(3000, 10)); // same size, other bytes
        File.Delete(Path.Combine(root, "toy2", "other.bin"));
        var bad = new StringWriter();
        Assert.Equal(1, DataCommand.Dispatch(["verify", path, "--root", root], bad));
        var text = bad.ToString();
        Assert.Contains("changed   toy2/raw.bin: CHANGED: sha256", text);
        Assert.Contains("missing   toy2/other.bin", text);
        Assert.Contains("0 ok, 1 changed, 1 missing", text);
    }

    [Fact]
    public void Data_command_help_and_usage_errors()
    {
        var help = new StringWriter();
        Assert.Equal(0, DataCommand.Dispatch(["fetch", "--help"], help));
        Assert.Contains("--root", help.ToString());
        Assert.Contains("--only", help.ToString());
        Assert.Equal(0, DataCommand.Dispatch(["--help"], help));
        Assert.Contains("verify", help.ToString());
        Assert.Throws<UsageException>(() => DataCommand.Dispatch(["frobnicate"], TextWriter.Null));
        Assert.Throws<UsageException>(() => DataCommand.Dispatch(["verify", "--root", dir], TextWriter.Null));
        Assert.Throws<UsageException>(() => DataCommand.Dispatch(["verify", "wesad"], TextWriter.Null));
        Assert.Throws<UsageException>(() => DataCommand.Dispatch(["verify", "no-such-dataset", "--root", dir], TextWriter.Null));
    }

    [Fact]
    public void Cli_lists_data_and_verify_runs_as_a_child_process()
    {
        static (int Code, string Out, string Err) Cli(params string[] args) => BioXBridge.Tests.Cli.CliProcess.Run(args);
        Assert.Contains("data", Cli("--help").Out);
        var (code, stdout, _) = Cli("data", "verify", "wesad", "--root", dir);
        Assert.Equal(1, code);
        Assert.Contains("missing   wesad/WESAD.zip", stdout);
        var (code2, _, err) = Cli("data", "fetch", "wesad");
        Assert.Equal(2, code2);
        Assert.Contains("'--root' is required", err);
    }

    [Theory]
    [InlineData("sha256", "\"abc\"", "files[0].sha256")]
    [InlineData("size_bytes", "-5", "files[0].size_bytes")]
    [InlineData("verified", "\"yes\"", "files[0].verified")]
    [InlineData("extract", "\"7z\"", "files[0].extract")]
    [InlineData("name", "\"../up.bin\"", "files[0].name")]
    [InlineData("url", "\"ftp://x/y\"", "files[0].url")]
    public void Manifest_errors_name_the_file_and_the_field(string field, string json, string expected)
    {
        var path = WriteManifest("bad", m => m["files"]![0]![field] = JsonNode.Parse(json), ("a.bin", "http://127.0.0.1/a.bin", null, "none"));
        var e = Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"field '{expected}'", e.Message);
    }

    [Fact]
    public void Manifest_top_level_errors_name_the_field()
    {
        var unknown = WriteManifest("bad1", m => m["filez"] = 1);
        Assert.Contains("field 'filez': unknown field", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(unknown)).Message);
        var noSignals = WriteManifest("bad2", m => m.Remove("signals"));
        Assert.Contains("field 'signals': is required", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(noSignals)).Message);
        var noSpdx = WriteManifest("bad3", m => m["license"]!.AsObject().Remove("spdx"));
        Assert.Contains("field 'license.spdx'", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(noSpdx)).Message);
        var rate = WriteManifest("bad4", m => m["signals"]![0]!["rate_hz"] = 0);
        Assert.Contains("field 'signals[0].rate_hz'", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(rate)).Message);
        var verifiedNoHash = WriteManifest("bad5", m => m["files"]![0]!["verified"] = true, ("a.bin", "http://127.0.0.1/a.bin", null, "none"));
        Assert.Contains("field 'files[0].verified'", Assert.Throws<InvalidDataException>(() => DatasetManifest.Load(verifiedNoHash)).Message);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse("{", "x.json")).Message);
    }

    [Fact]
    public void Shipped_dataset_manifests_load_and_claim_nothing_unverified()
    {
        var wesad = DatasetManifest.Find("wesad");
        Assert.Single(wesad.Files);
        Assert.Equal("zip", wesad.Files[0].Extract);
        Assert.Equal(15, wesad.Subjects.Count);
        Assert.Null(wesad.LicenseSpdx);
        var isruc = DatasetManifest.Find("isruc-s1");
        Assert.Equal(200, isruc.Files.Count);
        Assert.Equal("http://dataset.isr.uc.pt/ISRUC_Sleep/subgroupI/37.rar", isruc.File("archives/37.rar")!.Url);
        Assert.Equal("RawData", isruc.File("archives/37.rar")!.ExtractTo);
        var fog = DatasetManifest.Find("fog");
        Assert.False(fog.Files[0].Direct);
        Assert.Equal("CC-BY-4.0", fog.LicenseSpdx);
        Assert.False(fog.LicenseVerified);
        Assert.True(DatasetManifest.Find("synwesad").Synthetic);
        foreach (var m in new[] { wesad, isruc, fog })
            Assert.All(m.Files, f => Assert.True(f.Sha256 is null && !f.Verified && f.SizeBytes is null, $"{m.Name}/{f.Name}"));
    }

    [Theory]
    [InlineData("wesad-subjectwise", "wesad")]
    [InlineData("fog-subjectwise", "fog")]
    public void Explicit_split_lists_are_what_SubjectSplit_computes(string split, string dataset)
    {
        var path = Path.Combine(Path.GetDirectoryName(DatasetManifest.Locate(dataset))!, "..", "splits", split + ".json");
        var s = JsonNode.Parse(File.ReadAllText(path))!;
        var counts = s["counts"]!.AsObject().Select(kv => (kv.Key, (int)kv.Value!)).ToArray();
        var expected = SubjectSplit.Assign(DatasetManifest.Find(dataset).Subjects, (int)s["seed"]!, counts);
        foreach (var (role, names) in expected)
            Assert.Equal(names, s["subjects"]![role]!.AsArray().Select(n => (string)n!).ToArray());
    }

    [Fact]
    public void Leaky_fog_window_split_is_flagged()
    {
        var path = Path.Combine(Path.GetDirectoryName(DatasetManifest.Locate("fog"))!, "..", "splits", "fog-patient008-windows.json");
        var s = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.StartsWith("windows overlap 90 %", (string)s["leakage"]!);
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
