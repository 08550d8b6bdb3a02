using BioXBridge.Data;
using BioXBridge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// The two frozen models of a direction, for any pair of zoo models: the new-modality encoder (a weights file, else
/// pre-trained here without labels on other synthetic subjects, else its seeded initialisation) and the old-modality
/// teacher (a trained teacher file as is, else encoder + head trained on the train split). Whatever is trained is
/// cached in <see cref="PretrainedStore"/> under a name that hashes everything that produced it — for the teacher the
/// data's own hash — so identical inputs reuse one copy across seeds, processes and prepared copies of the same data.
/// </summary>
public static class FrozenModels
{
    /// <summary>Source of an encoder with neither a weights file nor pre-training: its initialisation under this seed.</summary>
    public const string Initialised = "initialised:seed=";

    /// <summary>Bump when the pre-training targets change (the heart-rate detector, the band layout).</summary>
    private const int TargetsVersion = 2;

    public static string NewEncoderFile(DirectionConfig c, LayeredEncoder encoder, long[] inputShape) =>
        PretrainedStore.FileName($"{c.Dataset.Name}-{c.New.Modality}-encoder-{c.New.Model}",
            new { Generator = GeneratorVersion(c.Dataset.Name), Targets = TargetsVersion, Optimizer = AdamStep.Description,
                  c.New.Model, ModelSize = c.New.Size, Input = inputShape, encoder.Settings, c.Pretraining,
                  Size = c.Dataset with { Subjects = null, Seed = 0, NegativeControl = false, Prepared = null } });

    public static string TeacherFile(DirectionConfig c, LayeredEncoder encoder, long[] inputShape, SplitData data, string? encoderSha) =>
        PretrainedStore.FileName($"{data.Train.Dataset}-{c.Old.Modality}-teacher-{c.Old.Model}",
            new { Optimizer = AdamStep.Description, c.Old.Model, ModelSize = c.Old.Size, Input = inputShape, encoder.Settings, c.Teacher,
                  Seed = c.Dataset.Seed, Encoder = encoderSha, Train = SplitData.Hash(data.Train), Val = SplitData.Hash(data.Val) });

    public static LayeredEncoder NewEncoder(DirectionConfig cfg, long[] inputShape, PretrainedStore store, Device device,
                                            IDictionary<string, string> weights, IProgress<ProgressReport>? progress = null,
                                            bool forceTrain = false, IDictionary<string, string>? notes = null)
    {
        var entry = ModelZoo.Get(cfg.New.Model);
        manual_seed(cfg.Pretraining.DataSeed);
        var encoder = entry.Build(cfg.New.Size, inputShape, cfg.New.Settings);
        encoder.to(device);
        string source;
        if (cfg.New.Weights is string file) source = WeightFiles.LoadEncoder(encoder, file, cfg.New);
        else if (cfg.Pretraining.Objective == PretrainingObjective.None || !cfg.Synthetic)
            source = $"{Initialised}{cfg.Pretraining.DataSeed}";
        else
        {
            var (from, hash) = store.LoadOrTrain(encoder, NewEncoderFile(cfg, encoder, inputShape), ckpt =>
                Resumed(notes, "new_encoder", Pretrain(cfg, entry, encoder, device, progress, ckpt)), forceTrain, progress);
            source = $"{from} {hash}";
        }
        weights["new_encoder"] = source;
        encoder.Freeze();
        return encoder;
    }

    /// <summary>Other subjects, another seed, never the run's data, and no class labels: only what the signal itself measures.</summary>
    private static LoopResult Pretrain(DirectionConfig cfg, ZooEntry entry, LayeredEncoder encoder, Device device, IProgress<ProgressReport>? progress,
                                       string checkpoint)
    {
        var windows = DirectionData.PretrainingWindows(cfg)!;
        var signal = windows.Modality(cfg.New.Modality);
        using var targets = cfg.Pretraining.Objective == PretrainingObjective.HeartRate
            ? PretrainingTargets.HeartRate(signal) : PretrainingTargets.BandPower(signal);
        using var x = ModelInputs(entry, signal);
        var lastSubject = windows.Subjects[^1];
        using var tr = tensor(Enumerable.Range(0, signal.Count).Where(i => windows.Subjects[i] != lastSubject).Select(i => (long)i).ToArray());
        using var va = tensor(Enumerable.Range(0, signal.Count).Where(i => windows.Subjects[i] == lastSubject).Select(i => (long)i).ToArray());
        var p = cfg.Pretraining;
        return LatentPretraining.Train(encoder, x[tr], targets[tr], x[va], targets[va], new LoopConfig(p.Epochs, p.BatchSize, p.LearningRate, Seed: p.DataSeed),
                                       device, progress, checkpoint);
    }

    public static Classifier Teacher(DirectionConfig cfg, SplitData data, Tensor xTrain, Tensor xVal, PretrainedStore store, Device device,
                                     IDictionary<string, string> weights, IProgress<ProgressReport>? progress = null, bool forceTrain = false,
                                     IDictionary<string, string>? notes = null)
    {
        manual_seed(cfg.Dataset.Seed);
        var encoder = ModelZoo.Get(cfg.Old.Model).Build(cfg.Old.Size, xTrain.shape[1..], cfg.Old.Settings);
        var teacher = new Classifier(encoder, data.Train.ClassNames.Count);
        teacher.to(device);
        if (cfg.Old.Weights is string file && WeightFiles.IsTeacher(file))
            weights["teacher"] = WeightFiles.LoadTeacher(teacher, file);
        else
        {
            string? encoderSha = null;
            if (cfg.Old.Weights is string encoderFile)
            {
                weights["old_encoder"] = WeightFiles.LoadEncoder(encoder, encoderFile, cfg.Old);
                encoderSha = weights["old_encoder"].Split(' ')[^1];
            }
            var (from, hash) = store.LoadOrTrain(teacher, TeacherFile(cfg, encoder, xTrain.shape[1..], data, encoderSha), ckpt =>
                Resumed(notes, "teacher", TeacherTraining.Train(teacher, xTrain, data.Train.Labels, xVal, data.Val.Labels, cfg.Teacher, cfg.Dataset.Seed,
                                                                device, progress, ckpt)), forceTrain, progress);
            weights["teacher"] = $"{from} {hash}";
        }
        teacher.eval();
        return teacher;
    }

    /// <summary>KD student: a fresh copy of the frozen new encoder's weights plus a new head, all trainable.</summary>
    public static Classifier Student(DirectionConfig cfg, long[] inputShape, PretrainedStore store, Device device, int classes, long seed)
    {
        var encoder = NewEncoder(cfg, inputShape, store, device, new Dictionary<string, string>());
        manual_seed(seed);
        var student = new Classifier(encoder, classes);
        student.to(device);
        foreach (var p in student.parameters()) p.requires_grad = true;
        return student;
    }

    /// <summary>Notes a training that continued from a checkpoint (it goes into the run record's <c>reused</c>).</summary>
    public static void Resumed(IDictionary<string, string>? notes, string what, LoopResult fit)
    {
        if (notes is null) return;
        if (fit.ResumedFrom is string at) notes["resumed_" + what] = $"{what} training resumed from its checkpoint at {at}";
        else notes.Remove("resumed_" + what);
    }

    /// <summary>Windows of one modality → the model's input, transformed in chunks so a large transform (scalograms) stays bounded.</summary>
    public static Tensor ModelInputs(ZooEntry entry, SignalWindows windows)
    {
        using var raw = tensor(windows.Values, windows.Shape);
        return Batches.Map(raw, 64, CPU, entry.Input);
    }

    private static int GeneratorVersion(string dataset) => dataset switch
    {
        "synwesad" => SynWesad.Version(false),
        "synisruc" => SynIsruc.Version(false),
        "synfog" => SynFog.Version(false),
        _ => 0,
    };
}
