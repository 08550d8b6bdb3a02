using BioXBridge.Bridge;
using BioXBridge.Cli;
using BioXBridge.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// One contract, every tiny zoo entry, both roles (PEFT's habit of one shared suite over every tiny model): the encoder
/// contract on the model's own input transform, then a bridge from every entry into every entry. A port whose
/// activations have an unusual layout (NormWear's channel rows) fails here the day it is added, not the day a
/// direction is run.
/// </summary>
public class ZooContractTests
{
    /// <summary>Prepared windows of each model's modality at the paper's rates, cut short where the model allows.</summary>
    public static readonly Dictionary<string, long[]> Windows = new()
    {
        ["labram-base"] = [6, 600],     // EEG: 6 channels × 3 s at 200 Hz → 3 one-second patches
        ["hubert-ecg-small"] = [1, 3000], // ECG: 30 s at 100 Hz → 46 tokens
        ["papagei-s"] = [1, 1250],      // PPG: 10 s at 125 Hz
        ["normwear"] = [3, 390],        // EMG: 3 channels × 3 s at 130 Hz → 3 scalograms (3, 388, 65)
    };

    public static IEnumerable<object[]> Entries => ModelZoo.All.Select(e => new object[] { e.Name });
    public static IEnumerable<object[]> Pairs =>
        from o in ModelZoo.All from n in ModelZoo.All select new object[] { o.Name, n.Name };

    /// <summary>Every entry at both sizes: the tiny twins the tests train and the paper-size ports the real directions load.</summary>
    public static IEnumerable<object[]> EntriesAtBothSizes =>
        from e in ModelZoo.All from size in new[] { ModelSize.Tiny, ModelSize.Full } select new object[] { e.Name, size };

    private static (LayeredEncoder Model, Tensor Input) Tiny(string name, int batch, int seed) => Sized(name, ModelSize.Tiny, batch, seed);

    private static (LayeredEncoder Model, Tensor Input) Sized(string name, ModelSize size, int batch, int seed)
    {
        var entry = ModelZoo.Get(name);
        manual_seed(seed);
        // a full NormWear pass costs seconds per channel, and the contract does not depend on how many channels there are
        long[] window = size == ModelSize.Full && name == "normwear" ? [1, .. Windows[name][1..]] : Windows[name];
        var input = entry.Input(randn([batch, .. window]));
        var model = entry.Build(size, input.shape[1..]);
        model.eval();
        return (model, input);
    }

    /// <summary>A tiny bridge from the middle of one entry into the middle of another (rank 2, 3 prototypes).</summary>
    private static (BridgedModel Bridged, BridgeConfig Config, Tensor XOld, Tensor XNew) BridgeBetween(string oldName, string newName)
    {
        var (oldModel, xOld) = Tiny(oldName, 2, 4);
        var (newModel, xNew) = Tiny(newName, 2, 5);
        int m = (newModel.BlockCount + 1) / 2, l = oldModel.BlockCount / 2;
        var cfg = BridgeConfig.ForOldBlock(newModel.OutputWidth(m, xNew.shape[1..]), 2, 3,
                                           oldModel.BlockInputShape(l, xOld.shape[1..]), oldModel.Layout, groups: oldModel.RowsPerRecording);
        manual_seed(6);
        return (new BridgedModel(newModel, m, new PrototypeBridge(cfg), new Classifier(oldModel, 3), l), cfg, xOld, xNew);
    }

    [Theory, MemberData(nameof(Entries))]
    public void Blocks_compose_and_every_block_input_can_be_resumed_from(string name)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (model, x) = Tiny(name, 2, 1);
        using var _ = model;
        var whole = model.call(x);
        var h = model.Embed(x);
        for (int l = 0; l < model.BlockCount; l++)
        {
            Assert.Equal(model.BlockInputShape(l, x.shape[1..]), h.shape[1..]);
            Assert.True(model.RunFrom(l, h).allclose(whole, rtol: 0, atol: 0), $"{name}: running from block {l} differs from the forward");
            h = model.RunBlock(l, h);
            Assert.True(model.RunTo(l + 1, x).allclose(h, rtol: 0, atol: 0), $"{name}: RunTo({l + 1}) is not the output of block {l}");
        }
    }

    [Theory, MemberData(nameof(EntriesAtBothSizes))]
    public void Forward_hooks_on_the_blocks_see_what_the_layer_taps_report(string name, ModelSize size)
    {
        // The release reads layer l with a forward hook during one ordinary forward pass. Here the hooks watch a plain
        // call() and every tap (RunTo, InputOf, RunFrom, PooledTrace) is checked against what they saw, so a tap that
        // is off by one block, skips one or runs one twice fails whatever the taps agree among themselves.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (model, x) = Sized(name, size, size == ModelSize.Tiny ? 2 : 1, 7);
        using var _ = model;
        int blocks = model.BlockCount;
        var seenIn = new Tensor[blocks];
        var seenOut = new Tensor[blocks];
        var order = new List<int>();
        var hooks = new List<Action>();
        for (int k = 0; k < blocks; k++)
        {
            int block = k;
            var module = model.BlockModule(block);
            hooks.Add(module.register_forward_pre_hook((_, input) => { seenIn[block] = input; return input; }).remove);
            hooks.Add(module.register_forward_hook((_, _, output) => { seenOut[block] = output; order.Add(block); return output; }).remove);
        }
        var whole = model.call(x);
        foreach (var remove in hooks) remove();

        Assert.Equal(Enumerable.Range(0, blocks), order);               // each block once, in order
        Assert.True(seenOut[^1].allclose(whole, rtol: 0, atol: 0), $"{name}: the forward is not the last block's output");
        var trace = model.PooledTrace(x);
        Assert.Equal(blocks + 1, trace.Length);
        Assert.True(trace[0].allclose(model.Pool(seenIn[0]), rtol: 0, atol: 0), $"{name}: trace[0] is not the pooled embedding");
        // every boundary of a tiny model; the middle one of a full model, whose passes cost seconds
        var taps = size == ModelSize.Tiny ? Enumerable.Range(1, blocks - 1) : [blocks / 2];
        foreach (int l in taps)
        {
            var prefix = model.RunTo(l, x);
            Assert.True(prefix.allclose(seenOut[l - 1], rtol: 0, atol: 0), $"{name} {size}: RunTo({l}) is not what block {l - 1} returned");
            Assert.True(model.InputOf(l, x).allclose(seenIn[l], rtol: 0, atol: 0), $"{name} {size}: InputOf({l}) is not what block {l} received");
            Assert.True(model.RunFrom(l, prefix).allclose(whole, rtol: 0, atol: 0), $"{name} {size}: RunTo({l}) then RunFrom({l}) is not the forward");
            Assert.True(trace[l].allclose(model.Pool(seenOut[l - 1]), rtol: 0, atol: 0), $"{name} {size}: trace[{l}] is not the pooled output of block {l - 1}");
        }
        Assert.True(trace[blocks].allclose(model.Pool(whole), rtol: 0, atol: 0));
    }

    [Theory, MemberData(nameof(Entries))]
    public void A_pass_leaves_only_each_blocks_output_in_the_callers_scope(string name)
    {
        var (model, x) = Tiny(name, 2, 1);
        using var _ = model;
        Tensor? first = null;
        foreach (bool grad in new[] { false, true })
        {
            using var mode = grad ? enable_grad() : no_grad();
            int embedOnly;
            using (var s = NewDisposeScope())
            {
                model.Embed(x);
                embedOnly = s.DisposablesCount;
            }
            using var pass = NewDisposeScope();
            var whole = model.call(x);
            // the embedding's own tensors, then exactly one per block, its output: its intermediates went as it returned
            Assert.Equal(embedOnly + model.BlockCount, pass.DisposablesCount);
            if (first is null) first = whole.detach().MoveToOuterDisposeScope();
            else Assert.True(whole.allclose(first, rtol: 0, atol: 0), $"{name}: the pass with gradients differs from the one without");
        }
        first!.Dispose();
    }

    [Theory, MemberData(nameof(Entries))]
    public void One_tapped_pass_pools_what_the_releases_pass_per_layer_index_pools(string name)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (model, x) = Tiny(name, 2, 2);
        using var _ = model;
        var trace = model.PooledTrace(x);
        for (int tap = 0; tap <= model.BlockCount; tap++)
            Assert.True(SelectionBench.WholePassTapping(model, x, tap).allclose(trace[tap], rtol: 0, atol: 0), $"{name}: boundary {tap}");
    }

    [Theory, MemberData(nameof(Entries))]
    public void Pooling_and_flattening_give_one_row_per_recording_whatever_else_is_in_the_batch(string name)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (model, x) = Tiny(name, 3, 2);
        using var _ = model;
        var pooled = model.PooledTrace(x);
        var last = model.call(x);
        Assert.Equal(new long[] { 3, model.OutputDim }, pooled[^1].shape);
        Assert.Equal(new long[] { 3, last.numel() / 3 }, model.Flatten(last).shape);
        for (int i = 0; i < 3; i++)
        {
            // recording i alone must give its own row of the batched result: pooling never mixes recordings
            var one = x[i..(i + 1)];
            var alone = model.PooledTrace(one);
            for (int k = 0; k < alone.Length; k++)
                Assert.True(alone[k].allclose(pooled[k][i..(i + 1)], rtol: 1e-4, atol: 1e-5), $"{name}: pooled layer {k} of recording {i} depends on the batch");
            Assert.True(model.Flatten(model.call(one)).allclose(model.Flatten(last)[i..(i + 1)], rtol: 1e-4, atol: 1e-5));
        }
    }

    [Theory, MemberData(nameof(Entries))]
    public void A_task_head_reads_one_pooled_vector_per_recording(string name)
    {
        using var scope = NewDisposeScope();
        var (model, x) = Tiny(name, 2, 3);
        using var teacher = new Classifier(model, 3);
        var logits = teacher.call(x);
        Assert.Equal(new long[] { 2, 3 }, logits.shape);
        nn.functional.cross_entropy(logits, tensor(new long[] { 0, 2 })).backward();
        Assert.All(teacher.head.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
    }

    [Theory, MemberData(nameof(Pairs))]
    public void The_releases_uncached_step_has_the_cached_steps_loss_and_gradient(string oldName, string newName)
    {
        using var scope = NewDisposeScope();
        var (bridged, _, xOld, xNew) = BridgeBetween(oldName, newName);
        using var teacher = bridged.Old;
        using var newModel = bridged.New;
        using var bridge = bridged.Bridge;
        using (no_grad()) foreach (var p in bridge.parameters()) p.copy_(randn_like(p)); // B = 0 would make both losses 1
        using var pooled = BridgeTrainer.CacheInputs(bridged, xNew, CPU);
        using var targets = BridgeTrainer.CacheTargets(bridged, xOld, CPU);

        (float Loss, Tensor[] Grads) Step(Func<Tensor> loss)
        {
            bridge.zero_grad();
            var value = loss();
            value.backward();
            return (value.item<float>(), bridge.parameters().Select(p => p.grad!.clone()).ToArray());
        }
        var cached = Step(() => BridgeTrainer.StepLoss(bridged, pooled, targets, AlignmentLoss.Cosine));
        var release = Step(() => BridgeEpochBench.ReleaseStepLoss(bridged, xNew, xOld, AlignmentLoss.Cosine));
        Assert.Equal(cached.Loss, release.Loss, 5);
        Assert.True(cached.Loss > 0.01f, $"{oldName}←{newName}: the loss {cached.Loss} is too small to compare");
        for (int i = 0; i < cached.Grads.Length; i++)
            Assert.True(cached.Grads[i].allclose(release.Grads[i], rtol: 1e-4, atol: 1e-6), $"{oldName}←{newName}: gradient {i} differs");
    }

    [Theory, MemberData(nameof(Pairs))]
    public void A_bridge_from_any_new_model_feeds_any_old_model_and_only_the_bridge_learns(string oldName, string newName)
    {
        using var scope = NewDisposeScope();
        var (bridged, cfg, xOld, xNew) = BridgeBetween(oldName, newName);
        using var teacher = bridged.Old;
        using var newModel = bridged.New;
        using var bridge = bridged.Bridge;
        var oldModel = teacher.encoder;
        Assert.Equal(cfg.TrainableParameters, bridge.ParameterCount());

        var target = oldModel.Flatten(oldModel.call(xOld));
        var pooled = bridged.PooledNew(xNew);
        Assert.Equal(new long[] { 2, cfg.InputDim }, pooled.shape);
        // B starts at zero, so the first step's gradient reaches B only through A; one step later A moves too
        using var optimizer = new AdamStep(bridge.parameters().ToList(), 1e-2);
        for (int step = 0; step < 2; step++)
        {
            optimizer.ZeroGrad();
            var predicted = oldModel.Flatten(bridged.OldLastFromPooled(pooled));
            Assert.Equal(target.shape, predicted.shape);
            BridgeTrainer.Alignment(predicted, target, AlignmentLoss.Cosine).backward();
            optimizer.Step();
        }
        Assert.All(bridge.parameters(), p => Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{oldName}←{newName}: a bridge parameter got no gradient"));
        Assert.All(teacher.parameters().Concat(newModel.parameters()), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
        Assert.Equal(new long[] { 2, 3 }, bridged.Logits(xNew).shape);
    }
}
