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
            // the smallest twin the split allows (4 subjects, 1 minute per class): what is checked is the route, not the size
            var direction = DirectionFiles.Load("synwesad-ppg-to-ecg", ["dataset.subjects=4", "dataset.minutes_per_class=1"]);
            var (data, preprocessing) = DatasetPreparation.Prepare("synwesad", null, DirectionData.Options(direction.Dataset, direction.Old.Modality));
            PreparedData.Write(data, dir, preprocessing);
            var back = PreparedData.Read(dir);
            // the demo's in-memory route and the prepared files are the same windows
            var demo = DirectionData.Load(direction);
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
        Assert.Contains("raw data folder", Assert.Throws<ArgumentException>(() => DatasetPreparation.Prepare("wesad", null, new PrepareOptions())).Message);
    }
}

public class SplitScaleAndSyntheticPrepareTests
{
    [Fact]
    public void ScalingKeepsTheRatioByLargestRemainder()
    {
        Assert.Equal([("train", 4), ("val", 1), ("pair", 4), ("test", 3)], SubjectSplit.Scale(12, SubjectSplit.Isruc));
        Assert.Equal(SubjectSplit.Isruc, SubjectSplit.Scale(99, SubjectSplit.Isruc));
        Assert.Equal(SubjectSplit.Wesad, SubjectSplit.Scale(15, SubjectSplit.Wesad));
        Assert.All(SubjectSplit.Scale(4, SubjectSplit.Isruc), p => Assert.Equal(1, p.Count));
        Assert.Throws<ArgumentException>(() => SubjectSplit.Scale(3, SubjectSplit.Isruc));
    }

    /// <summary>
    /// Shapes and split rules do not depend on how much is rendered, so four subjects (one per split) with short
    /// recordings check them; the default size takes ten times as long and proves nothing more.
    /// </summary>
    static readonly Dictionary<string, SyntheticSize> Small = new()
    {
        ["synisruc"] = new(Subjects: 4, EpochsPerSubject: 10),
        ["synfog"] = new(Subjects: 4, MinutesPerTask: 0.5),
    };

    [Theory]
    [InlineData("synisruc", "eeg", 6, 6000, "ecg", 1, 3000)]
    [InlineData("synfog", "eeg", 6, 600, "emg", 3, 390)]
    public void SyntheticIsrucAndFogPrepareIntoSubjectWiseSplitsOfThePapersShapes(string dataset, string m1, int c1, int s1, string m2, int c2, int s2)
    {
        var (data, preprocessing) = DatasetPreparation.Prepare(dataset, null, new PrepareOptions(Size: Small[dataset]));
        Assert.True(data.Train.Synthetic);
        Assert.Equal((m1, c1, s1), (data.Train.First.Modality, data.Train.First.Channels, data.Train.First.Samples));
        Assert.Equal((m2, c2, s2), (data.Train.Second.Modality, data.Train.Second.Channels, data.Train.Second.Samples));
        var subjects = data.Named().Select(p => p.Data.Subjects.Distinct().ToHashSet()).ToArray();
        for (int i = 0; i < subjects.Length; i++)
            for (int j = i + 1; j < subjects.Length; j++)
                Assert.Empty(subjects[i].Intersect(subjects[j]));
        Assert.All(data.Named(), p => Assert.Equal([0, 1], p.Data.Labels.Distinct().Order()));
        Assert.Equal(4, subjects.Sum(s => s.Count));    // every rendered subject landed in exactly one split
        Assert.NotNull(preprocessing["split_rule"]);
    }
}
