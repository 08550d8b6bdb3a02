using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BioXBridge.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// What a context computes from its frozen models on its fixed windows, kept on disk for the next process: the selected
/// positions, the pooled new-model features, the old model's alignment targets and the oracle's metrics. None of them
/// depends on a seed or on anything trained later, so a sweep's other workers, Slurm array tasks and a notebook run
/// again read them instead of running both models over every window again (on the SynWESAD twin a second <c>run</c> of a
/// direction took 6.6 s instead of 15.7 s).
/// <para>
/// Entries live in <c>frozen/KEY/</c> under the weights cache (<see cref="PretrainedStore.CacheDirectory"/>). KEY hashes
/// everything the values depend on: the context's shared config (<see cref="ExperimentContext.SharedKey"/>), every
/// split's data hash, the frozen weights' hashes, the device, libtorch's thread count (a reduction split over more
/// threads may round differently) and this build of the library and of TorchSharp, so a changed model port never reads
/// stale features. Values read back are the bytes written, so a run that reads them ends bit-identical to one that
/// computed them. Files appear whole (a temporary file, then a rename): processes that compute one entry at once write
/// the same bytes, and a killed one leaves no half file. Tensors over <see cref="MaxBytes"/> are not kept (the full-size
/// models' targets on real data run to gigabytes; they stay memory-mapped temporaries of one process).
/// </para>
/// </summary>
public sealed class FrozenOutputs
{
    public const long MaxBytes = 256L << 20;
    private const string FolderName = "frozen";

    /// <summary>The folder of this key's entries (created when the first is written).</summary>
    public string Folder { get; }

    public FrozenOutputs(string cacheDirectory, string key) => Folder = Path.Combine(cacheDirectory, FolderName, key);

    /// <summary>The key of a context's values: the hash of everything they depend on (the class summary lists it).</summary>
    /// <paramref name="dataHashes"/>: split name → <see cref="SplitData.Hash"/>, as the run record holds them.
    public static string Key(string sharedKey, IReadOnlyDictionary<string, string> dataHashes, IReadOnlyDictionary<string, string> weights, Device device)
    {
        var inputs = new
        {
            Context = sharedKey,
            Data = dataHashes.OrderBy(h => h.Key, StringComparer.Ordinal).ToDictionary(),
            // "embedded:FILE sha256:…" and "cache:FILE sha256:…" are the same weights: only the hash counts
            Weights = weights.OrderBy(w => w.Key, StringComparer.Ordinal)
                             .ToDictionary(w => w.Key, w => w.Value[Math.Max(0, w.Value.IndexOf("sha256:", StringComparison.Ordinal))..]),
            Device = device.type.ToString(),
            Threads = get_num_threads(),
            Library = typeof(FrozenOutputs).Assembly.ManifestModule.ModuleVersionId,
            TorchSharp = typeof(torch).Assembly.ManifestModule.ModuleVersionId,
        };
        var json = JsonSerializer.Serialize(inputs, RunRecord.Json);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    /// <summary>A kept float32 tensor on the CPU, or null if none was kept or its file is over <paramref name="maxBytes"/>.</summary>
    public Tensor? Tensor(string name, long maxBytes = long.MaxValue)
    {
        var file = Path.Combine(Folder, name + ".npy");
        if (!File.Exists(file) || new FileInfo(file).Length > maxBytes) return null;
        var a = Read(file, () => Npy.Read(file));
        return tensor(a.AsFloat32(), a.Shape);
    }

    /// <summary>Keeps <paramref name="t"/> (float32) under <paramref name="name"/> unless it is over <see cref="MaxBytes"/>.</summary>
    public void Keep(string name, Tensor t)
    {
        if (t.NumberOfElements * sizeof(float) > MaxBytes) return;
        using var scope = NewDisposeScope();
        var cpu = t.detach().cpu().contiguous();
        Directory.CreateDirectory(Folder);
        Npy.Write<float>(Path.Combine(Folder, name + ".npy"), cpu.data<float>().ToArray(), cpu.shape);   // whole or not at all
    }

    public T? Json<T>(string name) where T : class
    {
        var file = Path.Combine(Folder, name + ".json");
        return File.Exists(file) ? Read(file, () => JsonSerializer.Deserialize<T>(File.ReadAllText(file), RunRecord.Json)) : null;
    }

    /// <summary>
    /// Reads a kept file, or fails naming it: files appear whole, so a damaged one was changed by something else, and
    /// computing its values again (never silently) is the user's call.
    /// </summary>
    private T Read<T>(string file, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw new InvalidDataException($"{file}: a damaged kept value ({e.Message.Replace(file + ": ", "")}); delete {Folder} and the next run computes it again", e);
        }
    }

    public void KeepJson<T>(string name, T value)
    {
        Directory.CreateDirectory(Folder);
        OutputFolder.WriteFile(Path.Combine(Folder, name + ".json"), JsonSerializer.Serialize(value, RunRecord.Json));
    }

    /// <summary>What a run record says of a value read from here.</summary>
    public string Note(string what) => $"{what}, read from {Folder} (computed earlier for the same data, weights and settings)";
}
