using System.Text.RegularExpressions;

namespace BioXBridge.Data;

/// <summary>
/// ISRUC-Sleep subgroup I as unpacked. <see cref="IsrucSource.Mat"/> (default): <c>ExtractedChannels/subject&lt;n&gt;.mat</c>
/// (one variable per derivation, epochs × 6000); <see cref="IsrucSource.Rec"/>: <c>RawData/&lt;n&gt;/&lt;n&gt;.rec</c> (EDF,
/// see <see cref="IsrucRecRoute"/>). Either way scorer 1's <c>&lt;n&gt;_1.txt</c> is found anywhere below the root (the
/// per-subject RARs put it in <c>RawData/&lt;n&gt;/</c>). The route is chosen explicitly, never guessed from what is
/// present, because the two hold different signals (the .mat channels were extracted and filtered by the dataset's
/// authors). Subjects are listed in numeric order.
/// </summary>
public static partial class IsrucReader
{
    public static IReadOnlyList<IsrucSession> ReadAll(string root, IsrucSource source = IsrucSource.Mat)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such folder");
        var (pattern, rx, what) = source == IsrucSource.Mat
            ? ("subject*.mat", MatRx(), "ExtractedChannels/subject<n>.mat")
            : ("*.rec", RecRx(), "RawData/<n>/<n>.rec");
        var files = Directory.GetFiles(root, pattern, SearchOption.AllDirectories)
                             .Select(f => (Path: f, M: rx.Match(Path.GetFileName(f)))).Where(f => f.M.Success)
                             .Select(f => (f.Path, Id: int.Parse(f.M.Groups[1].Value))).OrderBy(f => f.Id).ToList();
        if (files.Count == 0)
            throw new FileNotFoundException($"{root}: no {what} below it (ISRUC source {source.ToString().ToLowerInvariant()})");
        var dup = files.GroupBy(f => f.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidDataException($"{root}: subject {dup.Key} has several files: {string.Join(", ", dup.Select(f => f.Path))}");
        var labels = Directory.GetFiles(root, "*_1.txt", SearchOption.AllDirectories)
                              .GroupBy(Path.GetFileName).ToDictionary(g => g.Key!, g => g.First());
        return files.Select(f =>
        {
            var labelPath = labels.TryGetValue($"{f.Id}_1.txt", out var l) ? l
                : throw new FileNotFoundException($"{f.Path}: scorer file {f.Id}_1.txt not found below {root}");
            return source == IsrucSource.Mat ? Read(f.Path, f.Id.ToString(), labelPath) : IsrucRecRoute.Read(f.Path, f.Id.ToString(), labelPath);
        }).ToList();
    }

    public static IsrucSession Read(string matPath, string subject, string labelPath)
    {
        var channels = IsrucSession.EegChannels.Append(IsrucSession.EcgChannel).ToArray();
        var vars = MatFile.Read(matPath, channels);
        var data = channels.ToDictionary(c => c, c => vars[c].ToRows());
        var session = new IsrucSession(subject, data, IsrucLabels.Read(labelPath, data[channels[0]].Length));
        session.Validate(matPath);
        return session;
    }

    [GeneratedRegex(@"^subject(\d+)\.mat$", RegexOptions.IgnoreCase)] private static partial Regex MatRx();
    [GeneratedRegex(@"^(\d+)\.rec$", RegexOptions.IgnoreCase)] private static partial Regex RecRx();
}
