using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// Weight files a direction names: an encoder in the port's key names (published weights after <c>models convert</c>,
/// or a checkpoint in those names), or a whole trained teacher (<c>encoder.*</c> + <c>head.*</c>). Loading is strict;
/// the one tolerated mismatch is LaBraM's time embedding, and only when the role says how to fill it.
/// Each load returns "file:PATH sha256:…" for the run record.
/// </summary>
public static class WeightFiles
{
    public static string LoadEncoder(LayeredEncoder encoder, string path, RoleSpec role)
    {
        Func<string, Tensor, Tensor, Tensor?>? adapt = role.TimeEmbedding is LabramTimeEmbedding mode
            ? (name, found, current) => name == "time_embed" && found.shape[1] < current.shape[1] ? LaBraM.TimeEmbeddingFor(found, current, mode) : null
            : null;
        StrictLoader.Load(encoder, path, adapt);
        return Describe(path) + (role.TimeEmbedding is { } m ? $" (time_embed: {m.ToString().ToLowerInvariant()})" : "");
    }

    /// <summary>Whether the file holds a trained teacher (encoder and head) rather than an encoder alone.</summary>
    public static bool IsTeacher(string path) =>
        CheckpointConverter.ReadStateDict(path).Tensors.Any(t => t.Key.StartsWith("head.", StringComparison.Ordinal));

    public static string LoadTeacher(Classifier teacher, string path)
    {
        StrictLoader.Load(teacher, path);
        return Describe(path);
    }

    public static string Describe(string path) => $"file:{Path.GetFullPath(path)} {PretrainedStore.Sha256(File.ReadAllBytes(path))}";
}
