using System.IO.Compression;
using SharpCompress.Archives.Rar;
using SharpCompress.Readers;

namespace BioXBridge.Data.Fetch;

/// <summary>What an extraction wrote (and skipped because an identical-size file was already there).</summary>
public sealed record ExtractResult(string Destination, int FilesWritten, int FilesSkipped, long BytesWritten);

/// <summary>
/// Unpacks a downloaded archive into a folder: zip with <see cref="System.IO.Compression"/>, RAR with SharpCompress
/// (managed, read-only). Every entry name is checked before anything is written: an absolute path, a drive, or a
/// <c>..</c> that would leave the destination rejects the whole archive (zip-slip). Files are written to a temporary
/// name and renamed; a file already present with the entry's size is kept (so a re-run after an interruption goes on
/// where it stopped), one with another size is an error — nothing is overwritten.
/// </summary>
public static class Archives
{
    private sealed record Entry(string Name, bool IsDirectory, long Size, Func<Stream> Open);

    public static ExtractResult Extract(string archivePath, string kind, string destination, IProgress<ProgressReport>? progress = null) => kind switch
    {
        "zip" => ExtractZip(archivePath, destination, progress),
        "rar" => ExtractRar(archivePath, destination, progress),
        "none" => new ExtractResult(destination, 0, 0, 0),
        _ => throw new ArgumentException($"unknown archive kind '{kind}' (zip, rar, none)", nameof(kind)),
    };

    public static ExtractResult ExtractZip(string zipPath, string destination, IProgress<ProgressReport>? progress = null)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{zipPath}: not a readable zip archive ({e.Message})", e); }
        using (zip)
            return Write(zipPath, destination, zip.Entries.Select(e => new Entry(e.FullName, e.FullName.EndsWith('/') || e.FullName.EndsWith('\\'), e.Length, e.Open)).ToList(), progress);
    }

    public static ExtractResult ExtractRar(string rarPath, string destination, IProgress<ProgressReport>? progress = null)
    {
        try
        {
            if (!RarArchive.IsRarFile(rarPath)) throw new InvalidDataException($"{rarPath}: not a RAR archive (no RAR signature)");
            using var rar = RarArchive.OpenArchive(rarPath, new ReaderOptions());
            var entries = rar.Entries.ToList();
            if (entries.Any(e => e.IsEncrypted)) throw new InvalidDataException($"{rarPath}: encrypted RAR entries are not supported");
            if (entries.Any(e => e.IsSplitAfter || e.VolumeIndexLast != e.VolumeIndexFirst))
                throw new InvalidDataException($"{rarPath}: multi-volume RAR archives are not supported");
            return Write(rarPath, destination, entries.Select(e => new Entry(e.Key ?? "", e.IsDirectory, e.Size, e.OpenEntryStream)).ToList(), progress);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException and not UnauthorizedAccessException and not OperationCanceledException)
        {
            // SharpCompress reports corrupt or unsupported archives with its own exception types.
            throw new InvalidDataException($"{rarPath}: cannot read the RAR archive ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>The full path an entry would be written to, or an exception naming the archive and the entry.</summary>
    public static string SafeTarget(string archive, string destinationFull, string entryName)
    {
        var name = entryName.Replace('\\', '/');
        if (name.Length == 0 || name.StartsWith('/') || name.Contains(':') || Path.IsPathRooted(name))
            throw new InvalidDataException($"{archive}: entry '{entryName}' is an absolute path; refusing to extract anything from this archive");
        var root = Path.TrimEndingDirectorySeparator(destinationFull) + Path.DirectorySeparatorChar;
        var target = Path.GetFullPath(Path.Combine(root, name));
        if (!target.StartsWith(root, StringComparison.Ordinal) && target + Path.DirectorySeparatorChar != root)
            throw new InvalidDataException($"{archive}: entry '{entryName}' would be written outside {destinationFull} (path traversal); refusing to extract anything from this archive");
        return target;
    }

    private static ExtractResult Write(string archive, string destination, IReadOnlyList<Entry> entries, IProgress<ProgressReport>? progress)
    {
        var destFull = Path.GetFullPath(destination);
        var targets = entries.Select(e => SafeTarget(archive, destFull, e.Name)).ToList(); // all checked before any write
        Directory.CreateDirectory(destFull);
        int written = 0, skipped = 0;
        long bytes = 0;
        var step = "extract " + Path.GetFileName(archive);
        for (int i = 0; i < entries.Count; i++)
        {
            var (entry, target) = (entries[i], targets[i]);
            if (entry.IsDirectory) { Directory.CreateDirectory(target); continue; }
            if (Directory.Exists(target)) throw new IOException($"{archive}: entry '{entry.Name}' is a file but {target} is a folder");
            if (File.Exists(target))
            {
                if (new FileInfo(target).Length == entry.Size) { skipped++; continue; }
                throw new IOException($"{archive}: {target} already exists with {new FileInfo(target).Length} bytes, the archive's entry '{entry.Name}' has {entry.Size}; not overwriting it");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var tmp = target + $".extracting-{Environment.ProcessId}";
            try
            {
                using (var input = entry.Open())
                using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                    input.CopyTo(output);
                File.Move(tmp, target, overwrite: false);
            }
            catch
            {
                if (File.Exists(tmp)) File.Delete(tmp);
                throw;
            }
            written++;
            bytes += entry.Size;
            progress?.Report(new ProgressReport(step, i + 1, entries.Count, entry.Name));
        }
        return new ExtractResult(destFull, written, skipped, bytes);
    }
}
