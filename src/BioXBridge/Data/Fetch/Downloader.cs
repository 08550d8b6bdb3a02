using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace BioXBridge.Data.Fetch;

/// <summary>What to download and what the result must match (null: unknown, not checked).</summary>
public sealed record DownloadRequest(Uri Url, string Path, long? SizeBytes = null, string? Sha256 = null, string? Label = null);

/// <summary>The file now under <see cref="Path"/>; <see cref="ResumedFrom"/> &gt; 0 when bytes of an earlier attempt were reused.</summary>
public sealed record DownloadResult(string Path, long SizeBytes, string Sha256, bool AlreadyPresent, long ResumedFrom, int Attempts);

/// <summary>A download that failed; <see cref="Retryable"/> for a dropped connection or a server error, not for 4xx.</summary>
public sealed class DownloadException(string message, bool retryable, Exception? inner = null) : IOException(message, inner)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// Downloads one file into <c>&lt;path&gt;.part</c>, resuming an existing <c>.part</c> with an HTTP <c>Range</c> request
/// (and after a dropped connection, up to <see cref="MaxAttempts"/> times), then checks size and sha256 where known and
/// only then renames it to its final name. A mismatch deletes the <c>.part</c> (its bytes are wrong, so resuming from it
/// could never succeed) and leaves nothing under the final name. An existing final file is never overwritten.
/// </summary>
public sealed class Downloader(HttpClient http)
{
    public const string PartSuffix = ".part";

    /// <summary>Requests per call, counting the first; each retry resumes from what the <c>.part</c> holds.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Pause before retry k is k × this.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public DownloadResult Download(DownloadRequest request, IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        DownloadAsync(request, progress, ct).GetAwaiter().GetResult();

    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var final = System.IO.Path.GetFullPath(request.Path);
        var label = request.Label ?? System.IO.Path.GetFileName(final);
        if (File.Exists(final))
        {
            var existing = await HashFileAsync(final, ct);
            if (request.Sha256 is not null && existing != request.Sha256)
                throw new InvalidDataException($"{final}: already exists but its sha256 is {existing}, expected {request.Sha256}; not overwriting it — move it away and fetch again");
            return new DownloadResult(final, new FileInfo(final).Length, existing, AlreadyPresent: true, 0, 0);
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(final)!);
        var part = final + PartSuffix;
        long resumedFrom = File.Exists(part) ? new FileInfo(part).Length : 0;
        int attempt = 0;
        while (true)
        {
            attempt++;
            try
            {
                if (await TryOnceAsync(request, part, label, progress, ct)) break;
            }
            catch (Exception e) when (Retryable(e, ct) && attempt < MaxAttempts)
            {
                long have = File.Exists(part) ? new FileInfo(part).Length : 0;
                progress?.Report(new ProgressReport("download " + label, Kib(have), Kib(request.SizeBytes ?? 0),
                                                    $"attempt {attempt} failed ({e.Message}); resuming from byte {have}"));
                if (RetryDelay > TimeSpan.Zero) await Task.Delay(RetryDelay * attempt, ct);
            }
            catch (Exception e) when (Retryable(e, ct))
            {
                long have = File.Exists(part) ? new FileInfo(part).Length : 0;
                throw new DownloadException($"{request.Url}: download interrupted after {have} bytes, {attempt} attempt(s) ({e.Message}); " +
                                            $"{part} is kept — run fetch again to resume", retryable: true, e);
            }
        }

        long size = new FileInfo(part).Length;
        if (request.SizeBytes is long expectedSize && size != expectedSize)
        {
            File.Delete(part);
            throw new InvalidDataException($"{request.Url}: got {size} bytes, expected {expectedSize}; deleted {part}, nothing written to {final}");
        }
        var sha = await HashFileAsync(part, ct);
        if (request.Sha256 is not null && sha != request.Sha256)
        {
            File.Delete(part);
            throw new InvalidDataException($"{request.Url}: sha256 {sha} does not match the expected {request.Sha256}; deleted {part}, nothing written to {final}");
        }
        File.Move(part, final, overwrite: false);
        return new DownloadResult(final, size, sha, AlreadyPresent: false, resumedFrom, attempt);
    }

    private static bool Retryable(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e switch
        {
            DownloadException d => d.Retryable,
            HttpRequestException h => h.StatusCode is null || (int)h.StatusCode >= 500,
            TaskCanceledException => true, // HttpClient.Timeout
            IOException => true,           // connection dropped mid-body ("response ended prematurely")
            _ => false,
        };

    /// <summary>One request. True when the <c>.part</c> is complete.</summary>
    private async Task<bool> TryOnceAsync(DownloadRequest request, string part, string label, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (request.SizeBytes is long known)
        {
            if (have == known && have > 0) return true;
            if (have > known) { File.Delete(part); have = 0; }
        }
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        if (have > 0) message.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // Nothing after byte `have`: the .part is complete if the server's length agrees (or says nothing).
            var length = response.Content.Headers.ContentRange?.Length;
            if (length is null || length == have) return true;
            File.Delete(part);
            throw new DownloadException($"{request.Url}: server refused the range from byte {have} (length {length}); restarting", retryable: true);
        }
        if (!response.IsSuccessStatusCode)
        {
            int code = (int)response.StatusCode;
            throw new DownloadException($"{request.Url}: HTTP {code} {response.ReasonPhrase}", retryable: code >= 500);
        }
        var range = response.Content.Headers.ContentRange;
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent && range?.From == have;
        if (have > 0 && !append) have = 0; // the server ignored the range: start over
        long? total = append ? range!.Length : response.Content.Headers.ContentLength;
        if (total is null && request.SizeBytes is long s) total = s;
        if (total is long t && request.SizeBytes is long expected && t != expected)
            throw new InvalidDataException($"{request.Url}: server reports {t} bytes, expected {expected}; nothing written to {request.Path}");

        await using (var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var body = await response.Content.ReadAsStreamAsync(ct))
        {
            var buffer = new byte[1 << 16];
            long done = have, lastReport = -1;
            var step = "download " + label;
            progress?.Report(new ProgressReport(step, Kib(done), Kib(total ?? 0), have > 0 ? $"resuming at byte {have}" : null));
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                done += n;
                if (done - lastReport >= (4 << 20)) { progress?.Report(new ProgressReport(step, Kib(done), Kib(total ?? 0), Detail(done, total))); lastReport = done; }
            }
            await file.FlushAsync(ct);
            progress?.Report(new ProgressReport(step, Kib(done), Kib(total ?? done), Detail(done, total)));
            if (total is long tt && done < tt)
                throw new DownloadException($"connection closed after {done} of {tt} bytes", retryable: true);
        }
        return true;
    }

    private static int Kib(long bytes) => (int)Math.Min(int.MaxValue, bytes / 1024);

    private static string Detail(long done, long? total) =>
        total is long t ? $"{done / 1048576.0:F1} / {t / 1048576.0:F1} MiB" : $"{done / 1048576.0:F1} MiB";

    public static async Task<string> HashFileAsync(string path, CancellationToken ct = default)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
    }

    public static string HashFile(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
