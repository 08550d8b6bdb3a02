using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Data;

/// <summary>
/// <c>data prepare --protocol release</c>: the release's own data preparation, for reproducing its numbers
/// (docs/fidelity.md).
/// <list type="bullet">
/// <item>FOG (and SynFOG): patient 008 only; labels carried to each modality's rate by FFT resampling and rounding
/// (<see cref="FogPreprocessing.SelectPerModality"/>); every kept window of every 008 recording named as the release
/// names it and split at random 33 : 11 : 33 : 22 (<see cref="ReleaseSplit.Windows"/>). The split is window-level,
/// so the result carries <see cref="ReleaseSplit.FogLeakage"/> into prepared.json and every run record and report.</item>
/// <item>ISRUC-S1 (and SynISRUC with ≥ 99 subjects): the release's 99-subject 33 / 11 / 33 / 22 split
/// (<see cref="ReleaseSplit.IsrucSubjects"/>); the subject left over is not prepared. Still subject-wise.</item>
/// </list>
/// </summary>
public static class ReleaseProtocol
{
    public static (SplitData Data, JsonObject Preprocessing) Prepare(string dataset, string? raw, PrepareOptions o)
    {
        if (o.SplitManifest is not null)
            throw new ArgumentException($"{dataset}: --protocol release makes the release's split; it cannot be combined with a split manifest (--split)");
        if (o.Labels != LabelResampling.FftRound && dataset is "fog" or "synfog")
            o = o with { Labels = LabelResampling.FftRound };
        return dataset switch
        {
            "fog" or "synfog" => Fog(dataset, raw, o),
            "isruc-s1" or "synisruc" => Isruc(dataset, raw, o),
            _ => throw new ArgumentException($"{dataset}: --protocol release is defined for fog, synfog, isruc-s1 and synisruc " +
                                             "(WESAD's split is subject-wise in the release too)"),
        };
    }

    private static (SplitData, JsonObject) Fog(string dataset, string? raw, PrepareOptions o)
    {
        bool synthetic = dataset == "synfog";
        var recordings = synthetic
            ? SynFog.Generate(DatasetPreparation.SynFogOf(o)).Where(r => r.Patient == ReleaseSplit.FogPatient).ToList()
            : FogReader.Discover(DatasetPreparation.Raw(dataset, raw, "the folder holding 'Filtered Data/'"))
                       .Where(f => f.Patient == ReleaseSplit.FogPatient).Select(FogReader.Read).ToList();
        if (recordings.Count == 0)
            throw new InvalidDataException($"{dataset} --protocol release: no recordings of patient {ReleaseSplit.FogPatient}, the only patient the release uses" +
                                           (synthetic ? " (SynFOG needs at least 8 patients)" : ""));
        var fog = DatasetPreparation.FogOf(o);
        var parts = recordings.Select(r => FogPreprocessing.Prepare(r, dataset, synthetic, fog)).ToList();
        var names = recordings.SelectMany((r, k) => Enumerable.Range(0, parts[k].Count)
                                                             .Select(i => ReleaseSplit.FogWindowName(r.Patient, r.Session, r.Task, i))).ToList();
        var all = PairedWindows.Concat(parts);
        var (windows, unused, sizes) = ReleaseSplit.Windows(names, o.Seed);
        PairedWindows Part(string split) => windows[split].Length > 0 ? all.Select(windows[split])
            : throw new InvalidDataException($"{dataset} --protocol release: {all.Count} windows of patient {ReleaseSplit.FogPatient} leave split '{split}' empty " +
                                             $"(sizes {string.Join("/", sizes.Values)})");
        var data = new SplitData(Part("train"), Part("val"), Part("pair"), Part("test")) { SplitUnit = "window", Leakage = ReleaseSplit.FogLeakage };

        var preprocessing = JsonSerializer.SerializeToNode(DatasetPreparation.FogSteps(synthetic, o,
            $"window-level, patient {ReleaseSplit.FogPatient} only (the release's split; leaks: windows overlap 90 %)"))!.AsObject();
        preprocessing["protocol"] = "release";
        preprocessing["split_rule"] = JsonSerializer.SerializeToNode(new
        {
            unit = "window", protocol = "release", patients = new[] { ReleaseSplit.FogPatient }, seed = o.Seed,
            rule = "window names subject_<patient[_session]>_<task>_segment_<i:04d>.npz sorted ordinally (the release shuffles an " +
                   "unsorted os.listdir), CPython random.seed(seed) + random.shuffle, sizes int(round(r/99·n)) for 33:11:33:22, " +
                   "each split the next names of the shuffled list (ReleaseSplit.Windows)",
            windows = all.Count, sizes, counts = windows.ToDictionary(kv => kv.Key, kv => kv.Value.Length), unused = unused.Length,
            leakage = ReleaseSplit.FogLeakage,
        });
        return (data, preprocessing);
    }

    private static (SplitData, JsonObject) Isruc(string dataset, string? raw, PrepareOptions o)
    {
        var all = DatasetPreparation.Windows(dataset, raw, o);
        var (subjects, unused) = ReleaseSplit.IsrucSubjects(all.Subjects.Distinct(), o.Seed);
        var preprocessing = JsonSerializer.SerializeToNode(DatasetPreparation.IsrucSteps(all.Synthetic, o))!.AsObject();
        preprocessing["protocol"] = "release";
        preprocessing["split_rule"] = JsonSerializer.SerializeToNode(new
        {
            unit = "subject", protocol = "release", seed = o.Seed,
            rule = "file names subject<n>.mat sorted ordinally (the release shuffles an unsorted os.listdir), CPython random.seed(seed) + " +
                   "random.shuffle, then 33/11/33/22 names dealt out in turn (ReleaseSplit.IsrucSubjects); leftover subjects are not prepared",
            counts = subjects.ToDictionary(kv => kv.Key, kv => kv.Value.Length), subjects, unused,
        });
        return (SplitData.FromAssignment(all, subjects), preprocessing);
    }
}
