using BioXBridge.Experiments;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Experiments;

/// <summary>
/// The key under which a context's frozen-model outputs are kept, and the files themselves. That a second context
/// reads them and trains the same bridge bit for bit is BridgeExperimentTests'; the sweep and Slurm tests run on them.
/// </summary>
public class FrozenOutputsTests
{
    static readonly Dictionary<string, string> Weights = new()
    {
        ["new_encoder"] = "embedded:synwesad-ecg-encoder.safetensors sha256:aa11",
        ["teacher"] = "embedded:synwesad-ppg-teacher.safetensors sha256:bb22",
    };

    [Fact]
    public void The_key_changes_with_what_the_values_depend_on_and_not_with_what_is_trained_on_them()
    {
        var cfg = DirectionFiles.Load("synwesad-ppg-to-ecg");
        var data = DirectionData.Load(cfg.Smoke());   // four windows per split: the key hashes them, their size does not matter
        string Key(DirectionConfig c, BioXBridge.Data.SplitData d, IReadOnlyDictionary<string, string> w, Device? device = null) =>
            FrozenOutputs.Key(ExperimentContext.SharedKey(c), d.Named().ToDictionary(s => s.Name, s => BioXBridge.Data.SplitData.Hash(s.Data)), w, device ?? CPU);
        var key = Key(cfg, data, Weights);
        Assert.True(data.Test.Count > 1, $"{data.Test.Count} test windows");
        Assert.Matches("^[0-9a-f]{16}$", key);

        // the same: what is trained on the frozen outputs, fixed positions, and where the same weights were found
        Assert.Equal(key, Key(DirectionFiles.Load("synwesad-ppg-to-ecg", ["bridge.rank=8", "kd.epochs=1", "positions.input=2", "positions.output=3"]), data, Weights));
        Assert.Equal(key, Key(cfg, data, Weights.ToDictionary(w => w.Key, w => w.Value.Replace("embedded:", "cache:"))));

        // another key: the data, the weights, the config the models and selection read, the device, the thread count
        Assert.NotEqual(key, Key(cfg, data with { Test = data.Test.Select([0]) }, Weights));
        Assert.NotEqual(key, Key(cfg, data, new Dictionary<string, string>(Weights) { ["teacher"] = "embedded:synwesad-ppg-teacher.safetensors sha256:bb23" }));
        Assert.NotEqual(key, Key(DirectionFiles.Load("synwesad-ppg-to-ecg", ["positions.criterion=accuracy"]), data, Weights));
        Assert.NotEqual(key, Key(cfg, data, Weights, new Device(DeviceType.CUDA, 0)));
        int threads = get_num_threads();
        try
        {
            set_num_threads(threads + 1);
            Assert.NotEqual(key, Key(cfg, data, Weights));
        }
        finally { set_num_threads(threads); }
    }

    [Fact]
    public void Kept_values_read_back_bit_for_bit_and_over_a_budget_are_not_read()
    {
        var cache = Directory.CreateTempSubdirectory("bioxbridge-frozen-").FullName;
        try
        {
            var kept = new FrozenOutputs(cache, "0123456789abcdef");
            Assert.Null(kept.Tensor("pooled-m1-pair"));
            Assert.Null(kept.Json<PositionRecord>("positions"));
            Assert.False(Directory.Exists(kept.Folder));    // nothing is created until something is kept

            using var t = randn(5, 7, generator: new Generator(3));
            kept.Keep("pooled-m1-pair", t);
            using var back = kept.Tensor("pooled-m1-pair")!;
            Assert.Equal(t.shape, back.shape);
            Assert.True(t.equal(back).all().item<bool>());
            Assert.Null(kept.Tensor("pooled-m1-pair", maxBytes: 5 * 7 * sizeof(float)));   // the .npy header makes the file larger

            var positions = new PositionRecord(3, 14, [0.5, 0.25], [0.125, 1.0 / 3], "F1Macro");
            kept.KeepJson("positions", positions);
            var read = kept.Json<PositionRecord>("positions")!;
            Assert.Equal((3, 14, "F1Macro"), (read.Input, read.Output, read.Criterion));
            Assert.Equal(positions.Stage2, read.Stage2);     // 1/3 survives the JSON round trip exactly
            Assert.Equal(["pooled-m1-pair.npy", "positions.json"], Directory.GetFiles(kept.Folder).Select(Path.GetFileName).Order());

            // a file changed by something else is one error naming it and the way out, not a silent recomputation
            var npy = Path.Combine(kept.Folder, "pooled-m1-pair.npy");
            File.WriteAllBytes(npy, File.ReadAllBytes(npy)[..200]);
            var e = Assert.Throws<InvalidDataException>(() => kept.Tensor("pooled-m1-pair"));
            Assert.StartsWith(npy + ": a damaged kept value (data holds 72 bytes; shape (5, 7) of <f4 needs 140)", e.Message);
            Assert.EndsWith($"delete {kept.Folder} and the next run computes it again", e.Message);
            File.WriteAllText(Path.Combine(kept.Folder, "positions.json"), "{ \"input\": 3,");
            e = Assert.Throws<InvalidDataException>(() => kept.Json<PositionRecord>("positions"));
            Assert.StartsWith(Path.Combine(kept.Folder, "positions.json") + ": a damaged kept value", e.Message);
        }
        finally { Directory.Delete(cache, true); }
    }
}
