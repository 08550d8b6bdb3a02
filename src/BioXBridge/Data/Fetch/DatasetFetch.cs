namespace BioXBridge.Data.Fetch;

/// <summary>
/// <c>data fetch</c> and <c>data verify</c> as library calls (the CLI and notebooks share them). Layout:
/// <c>&lt;root&gt;/&lt;dataset&gt;/&lt;file name&gt;</c> for downloads, archives unpacked into
/// <c>&lt;root&gt;/&lt;dataset&gt;/&lt;extract_to&gt;</c>, and <c>&lt;root&gt;/data.lock.json</c>.
/// </summary>
public static class DatasetFetch
{
    public static string DatasetFolder(string root, DatasetManifest m) => Path.Combine(Path.GetFullPath(root), m.Name);

    /// <summary>The files <paramref name="only"/> selects (a file name from the manifest), or all of them.</summary>
    public static IReadOnlyList<DatasetFile> Select(DatasetManifest m, string? only)
    {
        if (only is null) return m.Files;
        var f = m.File(only);
        if (f is not null) return [f];
        var names = m.Files.Select(x => x.Name).ToList();
        throw new ArgumentException($"{m.Name}: no file '{only}' in {m.Source}; files: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? $", … ({names.Count} in all)" : "")}");
    }

    /// <summary>
    /// Downloads (resuming), checks, records in the lock and unpacks every selected file. A file whose URL is a landing
    /// page (<c>direct: false</c>) is not downloaded: the log says where to save it; once it is there it is hashed and
    /// locked like the others. Returns the number of files still missing.
    /// </summary>
    public static int Fetch(DatasetManifest m, string root, string? only, Downloader downloader, TextWriter log,
                            IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (m.Synthetic) throw new ArgumentException($"{m.Name} is synthetic: nothing to download — it is generated in code ({m.Source})");
        var files = Select(m, only);
        var folder = DatasetFolder(root, m);
        var rootFull = Path.GetFullPath(root);
        Directory.CreateDirectory(folder);
        int missing = 0;
        foreach (var f in files)
        {
            var path = Path.Combine(folder, f.Name);
            var rel = Path.GetRelativePath(rootFull, path).Replace('\\', '/');
            var lockFile = LockFile.Load(rootFull);
            var locked = lockFile.Find(m.Name, rel);
            DownloadResult result;
            if (!f.Direct && !File.Exists(path))
            {
                log.WriteLine($"{rel}: not downloadable directly — {f.Url} is a landing page; download it by hand, save it as {path}, then run fetch again");
                missing++;
                continue;
            }
            if (File.Exists(path) && locked is not null)
            {
                var sha = Downloader.HashFile(path);
                if (sha != locked.Sha256)
                    throw new InvalidDataException($"{path}: sha256 {sha} differs from {LockFile.FileName} ({locked.Sha256}); the file changed since it was fetched — move it away and fetch again");
                result = new DownloadResult(path, new FileInfo(path).Length, sha, AlreadyPresent: true, 0, 0);
            }
            else
            {
                result = downloader.Download(new DownloadRequest(new Uri(f.Url), path, f.SizeBytes, f.Sha256, rel), progress, ct);
            }
            log.WriteLine(result.AlreadyPresent
                ? $"{rel}: present, {result.SizeBytes} bytes, sha256 {result.Sha256}"
                : $"{rel}: downloaded {result.SizeBytes} bytes{(result.ResumedFrom > 0 ? $" (resumed from byte {result.ResumedFrom})" : "")}, sha256 {result.Sha256}" +
                  (f.Sha256 is null ? " (no published hash to check against; recorded in the lock)" : " (matches the manifest)"));
            var entry = new LockEntry
            {
                Dataset = m.Name, File = rel, Url = f.Url, SizeBytes = result.SizeBytes, Sha256 = result.Sha256,
                FetchedAt = locked?.Sha256 == result.Sha256 ? locked.FetchedAt : DateTimeOffset.UtcNow,
                ExtractedTo = locked?.Sha256 == result.Sha256 ? locked.ExtractedTo : null,
            };
            lockFile.Set(entry);
            lockFile.Save(rootFull);

            if (f.Extract != "none")
            {
                var dest = Path.GetFullPath(Path.Combine(folder, f.ExtractTo ?? "."));
                var destRel = Path.GetRelativePath(rootFull, dest).Replace('\\', '/');
                if (entry.ExtractedTo == destRel) { log.WriteLine($"{rel}: already extracted into {destRel}"); continue; }
                var x = Archives.Extract(path, f.Extract, dest, progress);
                log.WriteLine($"{rel}: extracted {x.FilesWritten} files ({x.BytesWritten} bytes){(x.FilesSkipped > 0 ? $", {x.FilesSkipped} already there" : "")} into {destRel}");
                lockFile = LockFile.Load(rootFull);
                lockFile.Set(entry with { ExtractedTo = destRel });
                lockFile.Save(rootFull);
            }
        }
        return missing;
    }

    public enum Status { Ok, Changed, Missing, Unchecked }

    public sealed record VerifyLine(string File, Status Status, string Detail);

    public sealed record VerifyReport(string Dataset, IReadOnlyList<VerifyLine> Lines, int TreePresent, int TreeChecked)
    {
        public bool Ok => Lines.All(l => l.Status is Status.Ok or Status.Unchecked);
    }

    /// <summary>
    /// Hashes every file of the manifest that has a published hash or a lock entry, and every lock entry of this data
    /// set, and reports missing and changed files; files with neither are reported present-but-unchecked. Literal
    /// paths of the expected tree are counted (patterns with <c>{…}</c> are skipped).
    /// </summary>
    public static VerifyReport Verify(DatasetManifest m, string root)
    {
        var rootFull = Path.GetFullPath(root);
        var folder = DatasetFolder(root, m);
        var lockFile = LockFile.Load(rootFull);
        var lines = new List<VerifyLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in m.Files)
        {
            var path = Path.Combine(folder, f.Name);
            var rel = Path.GetRelativePath(rootFull, path).Replace('\\', '/');
            seen.Add(rel);
            lines.Add(Check(rel, path, f.SizeBytes, f.Sha256, lockFile.Find(m.Name, rel)));
        }
        foreach (var e in lockFile.Files.Where(e => e.Dataset == m.Name && !seen.Contains(e.File)))
            lines.Add(Check(e.File, Path.Combine(rootFull, e.File), null, null, e));
        int present = 0, checkedCount = 0;
        foreach (var p in m.ExpectedTree.Where(p => !p.Contains('{') && !p.Contains('*')))
        {
            checkedCount++;
            if (File.Exists(Path.Combine(folder, p)) || Directory.Exists(Path.Combine(folder, p))) present++;
        }
        return new VerifyReport(m.Name, lines, present, checkedCount);
    }

    private static VerifyLine Check(string rel, string path, long? size, string? manifestSha, LockEntry? locked)
    {
        if (!File.Exists(path))
            return new VerifyLine(rel, Status.Missing, locked is not null ? $"missing (fetched {locked.FetchedAt:u}, now gone)" : "missing (not fetched)");
        if (manifestSha is null && locked is null)
            return new VerifyLine(rel, Status.Unchecked, $"present, {new FileInfo(path).Length} bytes; no published hash and no lock entry — not checked");
        var length = new FileInfo(path).Length;
        var sha = Downloader.HashFile(path);
        var problems = new List<string>();
        if (manifestSha is not null && sha != manifestSha) problems.Add($"sha256 {sha}, manifest says {manifestSha}");
        if (size is long s && length != s) problems.Add($"{length} bytes, manifest says {s}");
        if (locked is not null && sha != locked.Sha256) problems.Add($"sha256 {sha}, {LockFile.FileName} says {locked.Sha256} (fetched {locked.FetchedAt:u})");
        if (locked is not null && length != locked.SizeBytes) problems.Add($"{length} bytes, {LockFile.FileName} says {locked.SizeBytes}");
        return problems.Count > 0
            ? new VerifyLine(rel, Status.Changed, "CHANGED: " + string.Join("; ", problems))
            : new VerifyLine(rel, Status.Ok, $"ok, {length} bytes, sha256 {sha}" + (manifestSha is not null ? " (manifest)" : " (lock)"));
    }
}
