using BioXBridge.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Models;

/// <summary>
/// A training stopped and started again from its checkpoint ends bit-identical to one never stopped. The model has
/// dropout (the global generator matters) and batch norm (buffers matter); training is in-process, the stop an
/// exception from inside a step (as a kill would leave it: the last checkpoint on disk, nothing else).
/// </summary>
public class ResumeTests
{
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> body;
        public Net() : base("net")
        {
            body = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3));
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => body.call(x);
    }

    private sealed class Crash : Exception;

    private static readonly LoopConfig Cfg = new(Epochs: 6, BatchSize: 8, LearningRate: 1e-2, EvalEvery: 2, Seed: 11);

    /// <summary>Trains a fresh seeded net; <paramref name="crashAtStep"/> throws from that step (counting from 1 in this call).</summary>
    private static (LoopResult Fit, Dictionary<string, Tensor> State) Train(string? checkpoint, int crashAtStep = 0, Func<bool>? stop = null)
    {
        manual_seed(3);
        var x = randn(44, 6);
        var y = randint(0, 3, [44]);
        manual_seed(5);
        var net = new Net();
        int steps = 0;
        var fit = TrainingLoop.Run(net, 44, Cfg, idx =>
            {
                if (++steps == crashAtStep) throw new Crash();
                if (stop?.Invoke() == true) Interruption.Request();
                return nn.functional.cross_entropy(net.call(x[idx]), y[idx]);
            },
            () => { using var noGrad = no_grad(); return -nn.functional.cross_entropy(net.call(x), y).item<float>(); },
            "resume-test", checkpoint: checkpoint);
        return (fit, net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()));
    }

    private static void AssertSame((LoopResult Fit, Dictionary<string, Tensor> State) a, (LoopResult Fit, Dictionary<string, Tensor> State) b)
    {
        Assert.Equal(a.Fit.History, b.Fit.History);
        Assert.Equal((a.Fit.BestEpoch, a.Fit.BestValidation), (b.Fit.BestEpoch, b.Fit.BestValidation));
        Assert.Equal(a.State.Keys, b.State.Keys);
        Assert.All(a.State, kv => Assert.True(kv.Value.eq(b.State[kv.Key]).all().item<bool>(), $"{kv.Key} differs"));
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"bioxbridge-resume-{Guid.NewGuid():N}", "t.ckpt");

    [Fact]
    public void Killed_after_a_checkpoint_and_restarted_it_ends_bit_identical()
    {
        var whole = Train(null);
        var file = TempFile();
        // 6 batches per epoch: step 22 is in epoch 4, after the checkpoint of epoch 2
        Assert.Throws<Crash>(() => Train(file, crashAtStep: 22));
        Assert.True(File.Exists(file));
        var resumed = Train(file);
        Assert.Equal("epoch 3", resumed.Fit.ResumedFrom);
        Assert.Null(whole.Fit.ResumedFrom);
        AssertSame(whole, resumed);
        // deliberate break: the same restart without the global generator's state (dropout) ends elsewhere
        Assert.Throws<Crash>(() => Train(file + ".b", crashAtStep: 22));
        var (state, tensors) = TrainingCheckpoint.Load(file + ".b");
        state.Save(file + ".b", tensors.Where(kv => kv.Key != "rng.global").Append(new("rng.global", Generator.Default.get_state()))
                                     .Select(kv => (kv.Key, kv.Value)).ToList());
        var broken = Train(file + ".b");
        Assert.NotEqual(whole.Fit.History[^1].Loss, broken.Fit.History[^1].Loss);
    }

    [Fact]
    public void Stopped_mid_epoch_on_request_it_continues_from_that_batch()
    {
        var whole = Train(null);
        var file = TempFile();
        int calls = 0;
        var e = Assert.Throws<TrainingInterruptedException>(() => Train(file, stop: () => ++calls == 15)); // epoch 3, third batch
        Assert.Equal(file, e.Checkpoint);
        Assert.Contains("epoch 3, sample 24 of 44", e.Position);
        Assert.False(Interruption.Requested);   // honoured: the next training in the process runs
        var resumed = Train(file);
        Assert.Equal("epoch 3, sample 24", resumed.Fit.ResumedFrom);
        AssertSame(whole, resumed);
    }

    [Fact]
    public void A_checkpoint_of_another_training_is_refused_naming_the_file()
    {
        var file = TempFile();
        Assert.Throws<Crash>(() => Train(file, crashAtStep: 22));
        var other = Cfg with { BatchSize = 4 };
        var net = new Net();
        var e = Assert.Throws<InvalidDataException>(() => TrainingLoop.Run(net, 44, other, _ => zeros(1), () => 0, "resume-test", checkpoint: file));
        Assert.Contains(file, e.Message);
        Assert.Contains("batch=8", e.Message);
        Assert.Contains("batch=4", e.Message);
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);   // truncated: one clear error, not a crash
        Assert.Contains(file, Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(file)).Message);
    }
}
