using System.Text.RegularExpressions;

namespace BioXBridge.Data;

/// <summary>
/// ISRUC-Sleep subgroup I as unpacked: <c>ExtractedChannels/subject&lt;n&gt;.mat</c> (one variable per derivation,
/// epochs × 6000) and scorer 1's <c>&lt;n&gt;_1.txt</c> anywhere below the root (the per-subject RARs put it in
/// <c>RawData/&lt;n&gt;/</c>). Subjects are listed in numeric order.
/// </summary>
public static partial class IsrucReader
{
    public static IReadOnlyList<IsrucSession> ReadAll(string root)
    {
        var mats = Directory.Exists(root)
            ? Directory.GetFiles(root, "subject*.mat", SearchOption.AllDirectories)
            : throw new DirectoryNotFoundException($"--raw {root}: no such folder");
        if (mats.Length == 0) throw new FileNotFoundException($"--raw {root}: no ExtractedChannels/subject<n>.mat below it");
        var labels = Directory.GetFiles(root, "*_1.txt", SearchOption.AllDirectories)
                              .GroupBy(Path.GetFileName).ToDictionary(g => g.Key!, g => g.First());
        return mats.Select(m => (Path: m, Id: int.Parse(SubjectRx().Match(Path.GetFileName(m)).Groups[1].Value)))
                   .OrderBy(m => m.Id).Select(m => Read(m.Path, m.Id.ToString(),
                       labels.TryGetValue($"{m.Id}_1.txt", out var l) ? l
                       : throw new FileNotFoundException($"{m.Path}: scorer file {m.Id}_1.txt not found below {root}")))
                   .ToList();
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

    [GeneratedRegex(@"subject(\d+)\.mat$", RegexOptions.IgnoreCase)] private static partial Regex SubjectRx();
}
