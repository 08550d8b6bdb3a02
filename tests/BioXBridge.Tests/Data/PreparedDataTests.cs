using BioXBridge.Data;
using BioXBridge.Experiments;
using Xunit;

namespace BioXBridge.Tests.Data;

public class PreparedDataTests
{
    [Fact]
    public void SynWesadPreparesToNpyThatReadsBackIdenticallyAndDetectsTampering()
    {
        var dir = Path.Combine(Path.GetTempPath(), "bioxbridge-prepared-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (data, preprocessing) = DatasetPreparation.Prepare("synwesad", null, new PrepareOptions());
            PreparedData.Write(data, dir, preprocessing);
            var back = PreparedData.Read(dir);
            // the demo's in-memory route and the prepared files are the same windows
            var demo = SynWesadData.Load(new ExperimentConfig());
            foreach (var ((name, written), (_, read), (_, inMemory)) in data.Named().Zip(back.Named(), demo.Named()))
            {
                Assert.Equal(written.Labels, read.Labels);
                Assert.Equal(written.Subjects, read.Subjects);
                Assert.Equal(written.First.Values, read.First.Values);
                Assert.Equal(written.Second.Values, read.Second.Values);
                Assert.Equal(inMemory.Second.Values, read.Second.Values);
                Assert.True(read.Synthetic, name);
            }
            Assert.Equal(new long[] { data.Test.Count, 1, 6000 }, Npy.Read(Path.Combine(dir, "test", "ecg.npy")).Shape);

            var labels = Path.Combine(dir, "val", "labels.npy");
            var bytes = File.ReadAllBytes(labels);
            bytes[^1] ^= 1;
            File.WriteAllBytes(labels, bytes);
            var e = Assert.Throws<InvalidDataException>(() => PreparedData.Read(dir));
            Assert.Contains("labels.npy", e.Message);
            Assert.Throws<IOException>(() => PreparedData.Write(data, dir, preprocessing));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnknownDatasetAndMissingRawFolderAreClearErrors()
    {
        Assert.Contains("expected one of", Assert.Throws<ArgumentException>(() => DatasetPreparation.Prepare("mnist", null, new PrepareOptions())).Message);
        Assert.Contains("--raw", Assert.Throws<ArgumentException>(() => DatasetPreparation.Prepare("wesad", null, new PrepareOptions())).Message);
    }
}
