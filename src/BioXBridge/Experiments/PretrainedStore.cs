using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;

namespace BioXBridge.Experiments;

/// <summary>
/// Small pre-trained weights (the synthetic teacher, the pre-trained new encoder) as safetensors, named by a hash of
/// everything that produced them, so a changed config never reuses stale weights. Lookup order: the cache folder
/// (<c>$BIOXBRIDGE_CACHE</c>, else <c>~/.cache/bioxbridge</c>), then the copies embedded in the library for the demo's
/// defaults; otherwise the caller trains and the result is cached. <c>bioxbridge pretrain</c> regenerates them.
/// </summary>
public sealed class PretrainedStore
{
    public string CacheDirectory { get; }

    public PretrainedStore(string? cacheDirectory = null) =>
        CacheDirectory = cacheDirectory
            ?? Environment.GetEnvironmentVariable("BIOXBRIDGE_CACHE")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bioxbridge");

    /// <summary>File name for weights of <paramref name="kind"/> produced by <paramref name="recipe"/> (any JSON-able object).</summary>
    public static string FileName(string kind, object recipe)
    {
        var json = JsonSerializer.Serialize(recipe, RunRecord.Json);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + json)))[..12];
        return $"{kind}-{hash}.safetensors";
    }

    /// <summary>
    /// Loads the weights into <paramref name="module"/> if a copy exists, else runs <paramref name="train"/> (which
    /// must leave trained weights in the module) and caches them. Returns where the weights came from and their hash.
    /// <paramref name="train"/> gets the checkpoint file to use (<c>NAME.ckpt</c> beside the cached copy): a training
    /// killed midway resumes from it the next time any process needs these weights; it is deleted once they are cached.
    /// Processes sharing the cache train each file once: the first holds <c>NAME.lock</c> while it trains, the others
    /// wait for it and then load its result.
    /// </summary>
    public (string Source, string Sha256) LoadOrTrain(torch.nn.Module module, string fileName, Action<string> train, bool forceTrain = false,
                                                      IProgress<ProgressReport>? progress = null)
    {
        if (!forceTrain && TryLoad(module, fileName) is { } found) return found;
        Directory.CreateDirectory(CacheDirectory);
        var cached = Path.Combine(CacheDirectory, fileName);
        var checkpoint = cached + ".ckpt";
        using var held = FileLock.Take(cached + ".lock", () =>
            progress?.Report(new ProgressReport("weights", 0, 1, $"waiting for another process training {fileName}")));
        if (!forceTrain && TryLoad(module, fileName) is { } trainedMeanwhile) return trainedMeanwhile;
        if (forceTrain) File.Delete(checkpoint);
        train(checkpoint);
        var tmp = cached + $".{Environment.ProcessId}.tmp";
        module.save_safetensors(tmp);
        File.Move(tmp, cached, overwrite: true);
        File.Delete(checkpoint);
        return ("trained:" + fileName, Sha256(File.ReadAllBytes(cached)));
    }

    /// <summary>Loads stored weights by file name (cache first, then the embedded copies); null when neither has them.</summary>
    public (string Source, string Sha256)? TryLoad(torch.nn.Module module, string fileName)
    {
        var cached = Path.Combine(CacheDirectory, fileName);
        if (File.Exists(cached))
        {
            module.load_safetensors(cached);
            return ("cache:" + fileName, Sha256(File.ReadAllBytes(cached)));
        }
        using var embedded = typeof(PretrainedStore).Assembly.GetManifestResourceStream("BioXBridge.Assets.pretrained." + fileName);
        if (embedded is null) return null;
        var bytes = new MemoryStream();
        embedded.CopyTo(bytes);
        bytes.Position = 0;
        module.load_safetensors(bytes);
        return ("embedded:" + fileName, Sha256(bytes.ToArray()));
    }

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
