using BioXBridge.Bridge;
using BioXBridge.Evaluation;
using BioXBridge.Experiments;
using BioXBridge.Models;
using BioXBridge.Tests.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Bridge;

public class PositionSelectorTests
{
    [Fact]
    public void ChannelPooling_AveragesPaPaGeisChannelsPerTimeStep_AsTheRelease()
    {
        using var scope = NewDisposeScope();
        using var papagei = new PaPaGei(PaPaGeiConfig.Tiny);
        var h = arange(24, ScalarType.Float32).reshape(2, 3, 4); // (batch, channels, length)
        // The release: np.mean(features, axis=1) → one value per time step.
        var channels = PositionSelector.NewPool(papagei, NewPooling.Channels)(h);
        Assert.Equal([2L, 4L], channels.shape);
        Assert.Equal([4f, 5f, 6f, 7f, 16f, 17f, 18f, 19f], channels.data<float>().ToArray());
        // The kit's default: mean over length → one value per channel (feature).
        var length = PositionSelector.NewPool(papagei, NewPooling.Length)(h);
        Assert.Equal([1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f], length.data<float>().ToArray());
    }

    [Fact]
    public void ChannelPooling_IsRefusedForTokenModels_InCodeAndInTheConfig()
    {
        using var hubert = new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 2 });
        var e = Assert.Throws<ArgumentException>(() => PositionSelector.NewPool(hubert, NewPooling.Channels));
        Assert.Contains("new_pooling", e.Message);
        // synwesad-ppg-to-ecg's new model is HuBERT-ECG: one error naming the file and the field.
        var c = Assert.Throws<InvalidDataException>(() => DirectionFiles.Load("synwesad-ppg-to-ecg", ["positions.new_pooling=\"channels\""]));
        Assert.Contains("field 'positions.new_pooling'", c.Message);
        Assert.Contains("synwesad-ppg-to-ecg", c.Message);
        // ... while PaPaGei as the new model (ECG → PPG) accepts it, and the full config carries the release's choice.
        Assert.Equal(NewPooling.Channels, DirectionFiles.Load("synwesad-ecg-to-ppg", ["positions.new_pooling=\"channels\""]).Positions.NewPooling);
        Assert.Equal(NewPooling.Channels, DirectionFiles.Load("wesad-ecg-to-ppg").Positions.NewPooling);
        Assert.Equal(SelectionOptions.Default, DirectionFiles.Load("synwesad-ecg-to-ppg").Positions.Options());
    }

    [Fact]
    public void GramCka_OnFlattenedActivations_MatchesTheReleasesCka()
    {
        // Fixture: the release's own cka(gram_linear(X), gram_linear(Y)) (bridge_position_selector_utils.py) on
        // (n, tokens, d) activations flattened per sample, and on their mean over axis 1 (the release's pooled form).
        foreach (var c in EvaluationFixtures.Cases("cka_flatten.json"))
        {
            using var scope = NewDisposeScope();
            var (x, y) = (Activations(c, "X"), Activations(c, "Y"));
            double flat = GramCka.FromCentredGrams(GramCka.CentredGram(x.flatten(1), chunk: 7), GramCka.CentredGram(y.flatten(1)));
            Assert.Equal(c.GetProperty("cka_flatten").GetDouble(), flat, 12);
            double pooled = LinearCka.Compute(Batches.ToRows(x.mean([1])), Batches.ToRows(y.mean([1])));
            Assert.Equal(c.GetProperty("cka_mean_axis1").GetDouble(), pooled, 12);
            Assert.True(flat - pooled > 0.3, $"{c.Name()}: flattened {flat} vs pooled {pooled}"); // the choice matters
        }
    }

    [Fact]
    public void FlattenedStage2_ScoresEveryOldBlockOnFlattenedActivations_AndRecordsTheSettings()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var papagei = new PaPaGei(PaPaGeiConfig.Tiny);           // new, channel-major
        using var teacher = new Classifier(new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 2 }), 2);
        var xNew = randn(40, 1, 1000);
        var xOld = randn(40, 1, 1000);
        using (no_grad())
        {
            // An untrained head gives every window one class; shift its class-1 bias to the median margin so the
            // pseudo-labels split 20/20 and stage 1 has two classes to probe.
            var z = teacher.call(xOld);
            var margin = (z[.., 1] - z[.., 0]).median().item<float>();
            teacher.head.named_parameters().Single(kv => kv.name.EndsWith("bias")).parameter.narrow(0, 1, 1).sub_(margin);
        }
        var options = new SelectionOptions(NewPooling: NewPooling.Channels, Stage2Features: Stage2Features.Flatten);
        var p = PositionSelector.Select(papagei, teacher, xNew, xOld, 2, CPU, options);

        Assert.Equal(options, p.Options);
        Assert.Equal(papagei.BlockCount, p.Stage1.Length);
        Assert.Equal(teacher.encoder.BlockCount, p.Stage2.Length);
        // Independent check with the pure C# CKA on double rows of the flattened activations.
        using var noGrad = no_grad();
        var x = Batches.ToRows(papagei.Flatten(papagei.RunTo(p.Input, xNew)));
        for (int l = 0; l < p.Stage2.Length; l++)
        {
            double expected = LinearCka.Compute(x, Batches.ToRows(teacher.encoder.Flatten(teacher.encoder.InputOf(l, xOld))));
            Assert.Equal(expected, p.Stage2[l], 9);
        }
        var record = PositionRecord.From(p);
        Assert.Equal(("Sklearn15", "Channels", "Flatten"), (record.ProbeObjective, record.NewPooling, record.Stage2Features));
    }

    [Fact]
    public void Stage_1_hands_over_the_bridge_inputs_at_the_chosen_block_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var hubert = new HuBertEcg(HuBertEcgConfig.Tiny with { Layers = 3 });   // new, tokens × features
        using var teacher = new Classifier(new PaPaGei(PaPaGeiConfig.Tiny), 2);
        var xNew = randn(70, 1, 1000);   // more than two batches of 32: the last one is short
        var xOld = randn(70, 1, 1000);
        teacher.eval();   // batch norm: the margin must be the one selection sees
        using (no_grad())
        {
            var z = teacher.call(xOld);
            var margin = (z[.., 1] - z[.., 0]).median().item<float>();
            teacher.head.named_parameters().Single(kv => kv.name.EndsWith("bias")).parameter.narrow(0, 1, 1).sub_(margin);
        }
        Tensor? handed = null;
        var p = PositionSelector.Select(hubert, teacher, xNew, xOld, 2, CPU, chosenFeatures: t => handed = t);

        // what ExperimentContext would otherwise compute for a bridge at the chosen m: BridgeTrainer.CacheInputs
        var bridge = new PrototypeBridge(BridgeConfig.ForOldBlock(hubert.OutputDim, 2, 4, teacher.encoder.BlockInputShape(p.Output, [1, 1000]), teacher.encoder.Layout));
        var model = new BridgedModel(hubert, p.Input, bridge, teacher, p.Output);
        var expected = BridgeTrainer.CacheInputs(model, xNew, CPU);
        Assert.NotNull(handed);
        Assert.Equal(expected.shape, handed!.shape);
        Assert.Equal(expected.data<float>().ToArray(), handed.data<float>().ToArray());   // bit for bit

        // channel pooling is not what a bridge takes: nothing is handed over
        handed = null;
        using var papagei = new PaPaGei(PaPaGeiConfig.Tiny);
        PositionSelector.Select(papagei, teacher, xNew, xOld, 2, CPU, new SelectionOptions(NewPooling: NewPooling.Channels), chosenFeatures: t => handed = t);
        Assert.Null(handed);
    }

    private static Tensor Activations(System.Text.Json.JsonElement c, string prop)
    {
        var rows = c.GetProperty(prop).EnumerateArray().Select(s => s.EnumerateArray()
            .Select(t => t.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray()).ToArray();
        long n = rows.Length, tokens = rows[0].Length, d = rows[0][0].Length;
        return tensor(rows.SelectMany(s => s.SelectMany(t => t)).ToArray(), [n, tokens, d]);
    }
}
