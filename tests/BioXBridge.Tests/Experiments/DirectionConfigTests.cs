using System.Text.Json.Nodes;
using BioXBridge.Bridge;
using BioXBridge.Experiments;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Experiments;

public class DirectionConfigTests
{
    public static readonly string[] Paper = ["wesad-ppg-to-ecg", "wesad-ecg-to-ppg", "isruc-eeg-to-ecg", "isruc-ecg-to-eeg", "fog-eeg-to-emg", "fog-emg-to-eeg"];

    [Fact]
    public void The_six_paper_directions_and_their_synthetic_twins_ship_and_read()
    {
        Assert.Equal(Paper.Concat(Paper.Select(p => "syn" + p)).Order(StringComparer.Ordinal), DirectionFiles.Names());
        foreach (var name in Paper)
        {
            var (full, twin) = (DirectionFiles.Load(name), DirectionFiles.Load("syn" + name));
            Assert.False(full.Synthetic);
            Assert.True(twin.Synthetic);
            // a twin has the same roles, at the tiny size of the same ports
            Assert.Equal((full.Old.Modality, full.Old.Model, full.New.Modality, full.New.Model),
                         (twin.Old.Modality, twin.Old.Model, twin.New.Modality, twin.New.Model));
            Assert.Equal((ModelSize.Full, ModelSize.Full, ModelSize.Tiny, ModelSize.Tiny), (full.Old.Size, full.New.Size, twin.Old.Size, twin.New.Size));
            Assert.Equal("syn" + full.Dataset.Name.Replace("-s1", ""), twin.Dataset.Name);
        }
    }

    [Theory]
    // direction → (epochs, lr, r, N_p) of the release's scripts (method §6) and (m, l) of its positions (§5)
    [InlineData("wesad-ppg-to-ecg", 50, 1e-4, 32, 50, 8, 11)]
    [InlineData("wesad-ecg-to-ppg", 100, 1e-6, 8, 150, 5, 2)]
    [InlineData("isruc-eeg-to-ecg", 50, 1e-5, 32, 300, 8, 2)]
    [InlineData("isruc-ecg-to-eeg", 50, 1e-4, 4, 200, 12, 0)]
    [InlineData("fog-eeg-to-emg", 100, 1e-5, 256, 200, 4, 11)]
    [InlineData("fog-emg-to-eeg", 100, 1e-4, 8, 50, 7, 10)]
    public void Full_size_configs_carry_the_release_settings(string name, int epochs, double lr, int rank, int prototypes, int m, int l)
    {
        var c = DirectionFiles.Load(name);
        Assert.Equal((epochs, lr, rank, prototypes, 16, AlignmentLoss.Cosine), (c.Bridge.Epochs, c.Bridge.LearningRate, c.Bridge.Rank, c.Bridge.Prototypes, c.Bridge.BatchSize, c.Bridge.Loss));
        Assert.Equal((m, l), (c.Positions.Input, c.Positions.Output));
    }

    [Fact]
    public void Teachers_follow_the_papers_settings_per_old_model()
    {
        // method §4: encoder frozen or fine-tuned, batch, epochs, lr, class counts
        var expected = new Dictionary<string, (bool, int, int, double, double[]?)>
        {
            ["wesad-ppg-to-ecg"] = (true, 32, 50, 1e-4, null),
            ["wesad-ecg-to-ppg"] = (false, 32, 50, 1e-5, [1112, 607, 312]),
            ["isruc-eeg-to-ecg"] = (false, 64, 50, 5e-4, [4687, 14550]),
            ["isruc-ecg-to-eeg"] = (false, 64, 50, 1e-4, [4687, 14550]),
            ["fog-eeg-to-emg"] = (false, 64, 500, 1e-2, null),
            ["fog-emg-to-eeg"] = (true, 16, 100, 1e-4, null),
        };
        foreach (var (name, (fineTune, batch, epochs, lr, counts)) in expected)
        {
            var t = DirectionFiles.Load(name).Teacher;
            Assert.Equal((fineTune, batch, epochs, lr), (t.FineTuneEncoder, t.BatchSize, t.Epochs, t.LearningRate));
            Assert.Equal(counts, t.ClassCounts);
        }
    }

    [Theory]
    // method §6's formula column: r·d_in + r·N_p·N_l + N_p·d_l, each from the live full-size modules at the real input shapes
    [InlineData("wesad-ppg-to-ecg", 398_784)]
    [InlineData("wesad-ecg-to-ppg", 188_912)]
    [InlineData("isruc-eeg-to-ecg", 1_813_984)]
    [InlineData("isruc-ecg-to-eeg", 140_000)]
    [InlineData("fog-eeg-to-emg", 1_209_408)]
    [InlineData("fog-emg-to-eeg", 712_000)]
    public void The_live_full_size_bridge_has_the_papers_parameter_count(string name, long expected)
    {
        var c = DirectionFiles.Load(name);
        using var scope = NewDisposeScope();
        var (newShape, oldShape) = (ModelInputShape(c.Dataset.Name, c.New), ModelInputShape(c.Dataset.Name, c.Old));
        using var newEncoder = ModelZoo.Get(c.New.Model).Build(ModelSize.Full, newShape);
        using var oldEncoder = ModelZoo.Get(c.Old.Model).Build(ModelSize.Full, oldShape);
        var shape = BridgeConfig.Between(newEncoder, newShape, c.Positions.Input!.Value, oldEncoder, oldShape, c.Positions.Output!.Value, c.Bridge);
        using var bridge = new PrototypeBridge(shape);
        Assert.Equal(expected, bridge.ParameterCount());
        Assert.Equal(expected, shape.TrainableParameters);
    }

    // one window of each dataset's modality as the paper prepares it (datasets §), through the model's own input transform
    private static long[] ModelInputShape(string dataset, RoleSpec role)
    {
        long[] window = (dataset, role.Modality) switch
        {
            ("wesad", "ppg") => [1, 7500], ("wesad", "ecg") => [1, 6000],   // 60 s at 125 / 100 Hz
            ("isruc-s1", "eeg") => [6, 6000], ("isruc-s1", "ecg") => [1, 3000], // 30 s at 200 / 100 Hz
            ("fog", "eeg") => [6, 600], ("fog", "emg") => [3, 390],          // 3 s at 200 / 130 Hz
            _ => throw new ArgumentException($"{dataset} has no {role.Modality}"),
        };
        return ModelZoo.Get(role.Model).Input(zeros([1, .. window])).shape[1..];
    }

    [Fact]
    public void An_unknown_or_ill_typed_field_is_one_error_naming_the_file_and_the_field()
    {
        var dir = Directory.CreateTempSubdirectory("bioxbridge-dir-").FullName;
        try
        {
            var node = JsonNode.Parse(DirectionFiles.ToJson(DirectionFiles.Load("synwesad-ppg-to-ecg")))!;
            node["bridge"]!["rnak"] = 8;
            var unknown = Path.Combine(dir, "unknown.json");
            File.WriteAllText(unknown, node.ToJsonString());
            var e = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load(unknown));
            Assert.Contains(unknown, e.Message);
            Assert.Contains("rnak", e.Message);

            node = JsonNode.Parse(DirectionFiles.ToJson(DirectionFiles.Load("synwesad-ppg-to-ecg")))!;
            node["bridge"]!["rank"] = "eight";
            var typed = Path.Combine(dir, "typed.json");
            File.WriteAllText(typed, node.ToJsonString());
            e = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load(typed));
            Assert.Contains("field 'bridge.rank'", e.Message);

            e = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load("synwesad-ppg-to-ecg", ["old.time_embedding=release"]));
            Assert.Contains("field 'old.time_embedding': applies to labram-base only", e.Message);
            e = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load("synwesad-ppg-to-ecg", ["dataset.epochs_per_subject=4"]));
            Assert.Contains("field 'dataset.epochs_per_subject': applies to synisruc only", e.Message);
            e = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load("synwesad-ppg-to-ecg", ["new.model=\"ecg-fm\""]));
            Assert.Contains("new.model", e.Message);
            Assert.Throws<FileNotFoundException>(() => DirectionFiles.Load(Path.Combine(dir, "missing.json")));
            Assert.Contains("unknown direction 'nope'", Assert.Throws<ArgumentException>(() => DirectionFiles.Load("nope")).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Overrides_reach_any_field_and_the_resolved_config_round_trips()
    {
        var c = DirectionFiles.Load("synisruc-eeg-to-ecg", ["bridge.rank=8", "positions.input=2", "kd_contrast.enabled=false", "dataset.prepared=/data/x y"]);
        Assert.Equal((8, 2, false, "/data/x y"), (c.Bridge.Rank, c.Positions.Input, c.KdContrast.Enabled, c.Dataset.Prepared));
        var json = DirectionFiles.ToJson(c);
        var back = DirectionFiles.Parse(JsonNode.Parse(json)!, "round trip");
        Assert.Equal(json, DirectionFiles.ToJson(back));
        Assert.Contains("bridge.rnak", Assert.Throws<InvalidDataException>(() => DirectionFiles.Load("synisruc-eeg-to-ecg", ["bridge.rnak=8"])).Message);
    }

    [Fact]
    public void The_schema_and_the_records_name_the_same_fields()
    {
        // the resolved config holds every record field; the schema must allow exactly those (additionalProperties is false)
        var resolved = JsonNode.Parse(DirectionFiles.ToJson(DirectionFiles.Load("fog-emg-to-eeg")))!.AsObject();
        var schema = JsonNode.Parse(DirectionFiles.SchemaText())!.AsObject();
        static IEnumerable<string> Keys(JsonObject o, string at) => o.SelectMany(kv =>
            kv.Value is JsonObject child ? new[] { at + kv.Key }.Concat(Keys(child, at + kv.Key + ".")) : [at + kv.Key]);
        IEnumerable<string> SchemaKeys(JsonObject s, string at)
        {
            if (s["$ref"]?.GetValue<string>() is string r) s = schema["$defs"]![r.Split('/')[^1]]!.AsObject();
            return s["properties"]?.AsObject().SelectMany(kv => new[] { at + kv.Key }.Concat(SchemaKeys(kv.Value!.AsObject(), at + kv.Key + "."))) ?? [];
        }
        Assert.Equal(SchemaKeys(schema, "").Order(), Keys(resolved, "").Order());
    }

    [Fact]
    public void The_schema_builds_again_in_the_same_process()
    {
        // A notebook kernel that loads the library a second time builds the schema again; the global registry refused that.
        var a = DirectionFiles.BuildSchema();
        var b = DirectionFiles.BuildSchema();
        var config = System.Text.Json.JsonSerializer.SerializeToElement(JsonNode.Parse(DirectionFiles.ToJson(DirectionFiles.Load("synwesad-ppg-to-ecg"))));
        Assert.True(a.Evaluate(config).IsValid);
        Assert.True(b.Evaluate(config).IsValid);
    }
}
