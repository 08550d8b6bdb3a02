using BioXBridge.Experiments;
using BioXBridge.Models;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// LaBraM's published weights have one time-embedding row per 1-s patch up to 16; ISRUC's 30-s epochs need 30. The
/// loader accepts that one mismatch, and only when the direction says how to fill the longer table.
/// </summary>
public class LabramTimeEmbeddingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("bioxbridge-labram-").FullName;
    private static readonly long[] Isruc = [6, 30, 200];

    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>A tiny LaBraM saved with 8 time rows (standing in for the published 16), and its time_embed.</summary>
    private (string File, Tensor Published) Published()
    {
        manual_seed(3);
        using var published = new LaBraM(LaBraMConfig.Tiny);
        var file = Path.Combine(dir, "published.safetensors");
        published.save_safetensors(file);
        return (file, published.state_dict()["time_embed"].detach().clone());
    }

    private static LaBraM Longer(long seed)
    {
        manual_seed(seed);
        return (LaBraM)ModelZoo.Get("labram-base").Build(ModelSize.Tiny, Isruc);
    }

    private static RoleSpec Role(LabramTimeEmbedding? mode) => new() { Modality = "eeg", Model = "labram-base", TimeEmbedding = mode };

    [Fact]
    public void Without_the_option_the_strict_loader_names_the_mismatched_tensor()
    {
        var (file, _) = Published();
        using var model = Longer(4);
        Assert.Equal(30, model.Config.TimePositions);
        var e = Assert.Throws<InvalidDataException>(() => WeightFiles.LoadEncoder(model, file, Role(null)));
        Assert.Contains("time_embed", e.Message);
        Assert.Contains("[1, 30,", e.Message);
    }

    [Fact]
    public void Release_keeps_the_seeded_initial_rows_and_loads_everything_else()
    {
        var (file, _) = Published();
        using var model = Longer(4);
        using var fresh = Longer(4);
        var source = WeightFiles.LoadEncoder(model, file, Role(LabramTimeEmbedding.Release));
        Assert.EndsWith("(time_embed: release)", source);
        Assert.True(model.state_dict()["time_embed"].equal(fresh.state_dict()["time_embed"]).all().item<bool>());
        manual_seed(3);
        using var published = new LaBraM(LaBraMConfig.Tiny);
        Assert.True(model.state_dict()["cls_token"].equal(published.state_dict()["cls_token"]).all().item<bool>());
    }

    [Fact]
    public void Interpolate_stretches_the_published_rows_linearly_with_the_ends_kept()
    {
        var (file, published) = Published();
        using var model = Longer(4);
        WeightFiles.LoadEncoder(model, file, Role(LabramTimeEmbedding.Interpolate));
        var t = model.state_dict()["time_embed"];
        Assert.Equal(new long[] { 1, 30, published.shape[2] }, t.shape);
        Assert.True(t[0, 0].allclose(published[0, 0]));
        Assert.True(t[0, 29].allclose(published[0, 7]));
        // row 1 of 30 sits at 7/29 of the way from published row 0 to row 1 (align_corners)
        double u = 7.0 / 29;
        Assert.True(t[0, 1].allclose(published[0, 0] * (1 - u) + published[0, 1] * u, rtol: 1e-5, atol: 1e-6));
    }
}
