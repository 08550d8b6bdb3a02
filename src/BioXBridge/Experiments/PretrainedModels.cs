using BioXBridge.Data;
using BioXBridge.Models;
using BioXBridge.Signals;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// The two frozen models of a synthetic run, loaded from <see cref="PretrainedStore"/> or trained once and cached:
/// the new-modality (ECG) encoder, pre-trained without class labels on other synthetic subjects, and the old-modality
/// (PPG) teacher, trained with labels on the run's train split.
/// </summary>
public static class PretrainedModels
{
    public static string NewEncoderFile(ExperimentConfig c) => PretrainedStore.FileName("synwesad-ecg-encoder",
        new { Version = SynWesad.Version(false), Targets = TargetsVersion, Optimizer = AdamStep.Description, c.NewModel, c.Pretraining, c.PretrainingSubjects, c.PretrainingDataSeed, c.MinutesPerClass });

    public static string TeacherFile(ExperimentConfig c, SplitData? data = null) => c.PreparedData is null
        ? PretrainedStore.FileName("synwesad-ppg-teacher",
            new { Version = SynWesad.Version(c.NegativeControl), Optimizer = AdamStep.Description, c.OldModel, c.Teacher, c.Subjects, c.MinutesPerClass, c.DataSeed, c.NegativeControl })
        : data is null ? throw new ArgumentNullException(nameof(data), "a teacher for prepared data is named after the data's hash")
        : PretrainedStore.FileName(data.Train.Dataset + "-ppg-teacher",
            new { Optimizer = AdamStep.Description, c.OldModel, c.Teacher, c.DataSeed, Train = SplitData.Hash(data.Train), Val = SplitData.Hash(data.Val) });

    /// <summary>Bump when the pre-training targets change (the heart-rate detector, the choice of latents).</summary>
    private const int TargetsVersion = 1;

    public static HuBertEcg NewEncoder(ExperimentConfig cfg, PretrainedStore store, Device device,
                                       IDictionary<string, string> weights, IProgress<ProgressReport>? progress = null,
                                       bool forceTrain = false)
    {
        manual_seed(cfg.PretrainingDataSeed);
        var encoder = new HuBertEcg(cfg.NewModel);
        encoder.to(device);
        var (source, hash) = cfg.NewEncoderWeights is string file ? PretrainedStore.LoadFile(encoder, file) : store.LoadOrTrain(encoder, NewEncoderFile(cfg), () =>
        {
            // other subjects, other seed, never the run's data, and no class labels: only heart rate and RR variability
            var windows = SynWesadData.Windows(new SynWesadConfig(cfg.PretrainingSubjects, cfg.MinutesPerClass, cfg.PretrainingDataSeed));
            var ecg = windows.Modality("ecg");
            var targets = tensor(Enumerable.Range(0, ecg.Count).SelectMany(i =>
            {
                var (bpm, rrStd) = HeartRate.Estimate(ecg.Window(i), ecg.RateHz);
                return new[] { (float)bpm, (float)rrStd };
            }).ToArray(), [ecg.Count, 2]);
            var x = Batches.ToTensor(ecg);
            var lastSubject = windows.Subjects[^1];
            var trainRows = Enumerable.Range(0, ecg.Count).Where(i => windows.Subjects[i] != lastSubject).Select(i => (long)i).ToArray();
            var valRows = Enumerable.Range(0, ecg.Count).Where(i => windows.Subjects[i] == lastSubject).Select(i => (long)i).ToArray();
            using var tr = tensor(trainRows); using var va = tensor(valRows);
            LatentPretraining.Train(encoder, x[tr], targets[tr], x[va], targets[va], cfg.Pretraining with { Seed = cfg.PretrainingDataSeed }, device, progress);
        }, forceTrain);
        weights["new_encoder"] = $"{source} {hash}";
        encoder.Freeze();
        return encoder;
    }

    public static Classifier Teacher(ExperimentConfig cfg, SplitData data, PretrainedStore store, Device device,
                                     IDictionary<string, string> weights, IProgress<ProgressReport>? progress = null,
                                     bool forceTrain = false)
    {
        manual_seed(cfg.DataSeed);
        var teacher = new Classifier(new PaPaGei(cfg.OldModel), data.Train.ClassNames.Count);
        teacher.to(device);
        var (source, hash) = cfg.TeacherWeights is string file ? PretrainedStore.LoadFile(teacher, file) : store.LoadOrTrain(teacher, TeacherFile(cfg, data), () =>
            TeacherTraining.Train(teacher, Batches.ToTensor(data.Train.Modality("ppg")), data.Train.Labels,
                                  Batches.ToTensor(data.Val.Modality("ppg")), data.Val.Labels,
                                  cfg.Teacher with { Seed = cfg.DataSeed }, device, progress), forceTrain);
        weights["teacher"] = $"{source} {hash}";
        teacher.eval();
        return teacher;
    }

    /// <summary>KD student: a fresh copy of the pre-trained new encoder plus a new head, all trainable.</summary>
    public static Classifier Student(ExperimentConfig cfg, PretrainedStore store, Device device, int classes)
    {
        var encoder = NewEncoder(cfg, store, device, new Dictionary<string, string>());
        manual_seed(cfg.Seed);
        var student = new Classifier(encoder, classes);
        student.to(device);
        foreach (var p in student.parameters()) p.requires_grad = true;
        return student;
    }
}
