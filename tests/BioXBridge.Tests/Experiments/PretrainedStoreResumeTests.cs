using BioXBridge.Experiments;
using BioXBridge.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace BioXBridge.Tests.Experiments;

/// <summary>The store's side of resumable pre-training: one checkpoint path per weights file, and one trainer at a time.</summary>
public class PretrainedStoreResumeTests
{
    private const string Name = "toy-teacher-0123456789ab.safetensors";

    [Fact]
    public async Task Two_workers_needing_the_same_weights_train_them_once_and_the_second_loads_them()
    {
        var store = new PretrainedStore(CheckpointTests.TempDir());
        int trainings = 0;
        var checkpoints = new List<string>();
        (string Source, string Sha256, float Weight) Worker()
        {
            using var module = nn.Linear(3, 2);
            var found = store.LoadOrTrain(module, Name, checkpoint =>
            {
                Interlocked.Increment(ref trainings);
                lock (checkpoints) checkpoints.Add(checkpoint);
                File.WriteAllText(checkpoint, "a training's checkpoint");
                Thread.Sleep(600); // long enough for the other worker to arrive while the lock is held
                using var noGrad = no_grad();
                foreach (var p in module.parameters()) p.fill_(0.25);
            });
            return (found.Source, found.Sha256, module.weight.data<float>()[0]);
        }
        var both = await Task.WhenAll(Task.Run(Worker), Task.Run(Worker));

        Assert.Equal(1, trainings);
        Assert.Equal([Path.Combine(store.CacheDirectory, Name + ".ckpt")], checkpoints);
        Assert.False(File.Exists(checkpoints[0]), "the checkpoint outlived the saved weights");
        Assert.Equal(["cache:" + Name, "trained:" + Name], both.Select(r => r.Source).Order());
        Assert.Equal(both[0].Sha256, both[1].Sha256);
        Assert.All(both, r => Assert.Equal(0.25f, r.Weight));
    }

    [Fact]
    public void A_killed_training_leaves_its_checkpoint_for_the_next_call_and_retrain_deletes_it()
    {
        var store = new PretrainedStore(CheckpointTests.TempDir());
        using var module = nn.Linear(3, 2);
        var checkpoint = Path.Combine(store.CacheDirectory, Name + ".ckpt");
        Assert.Throws<TimeoutException>(() => store.LoadOrTrain(module, Name, c =>
        {
            File.WriteAllText(c, "epoch 3 of 5");
            throw new TimeoutException("killed");
        }));
        Assert.True(File.Exists(checkpoint));

        // the next call gets the same path with the checkpoint still there; --retrain (forceTrain) starts without it
        store.LoadOrTrain(module, Name, c => Assert.Equal("epoch 3 of 5", File.ReadAllText(c)));
        File.WriteAllText(checkpoint, "stale");
        store.LoadOrTrain(module, Name, c => Assert.False(File.Exists(c)), forceTrain: true);
        Assert.False(File.Exists(checkpoint));
    }
}
