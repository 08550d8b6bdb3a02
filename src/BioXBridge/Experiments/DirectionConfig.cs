using System.Text.Json.Serialization;
using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Evaluation;
using BioXBridge.Models;

namespace BioXBridge.Experiments;

/// <summary>
/// A direction of the paper as data: which paired dataset, which old (labelled, teacher) and new (unlabelled) role, and
/// every setting of every step. Read from <c>configs/directions/NAME.json</c> (<see cref="DirectionFiles"/>), checked
/// against <c>configs/schema/direction.schema.json</c>, and written back fully resolved into every run. Defaults here
/// are the paper's (method defaults: Adam, batch 16, cosine alignment, evaluation every 5 epochs); each shipped file
/// spells out its own values.
/// </summary>
public sealed record DirectionConfig
{
    public const string SchemaId = "bioxbridge.direction/1";
    public string Schema { get; init; } = SchemaId;
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required DatasetSpec Dataset { get; init; }
    /// <summary>The old modality: labelled data, the teacher (encoder + task head) the bridge feeds.</summary>
    public required RoleSpec Old { get; init; }
    /// <summary>The new modality: unlabelled, its encoder's prefix feeds the bridge.</summary>
    public required RoleSpec New { get; init; }
    public TeacherConfig Teacher { get; init; } = new();
    public PretrainingSpec Pretraining { get; init; } = new();
    public PositionSpec Positions { get; init; } = new();
    public BridgeSettings Bridge { get; init; } = new();
    public DistillationConfig Kd { get; init; } = new();
    public DistillationConfig KdContrast { get; init; } = new() { ContrastWeight = 1 };

    /// <summary>Whether the data come from a generator in this kit (a synthetic twin) rather than a recording.</summary>
    [JsonIgnore] public bool Synthetic => DatasetSpec.Generators.Contains(Dataset.Name);

    /// <summary>
    /// The smoke version of a direction: the same models at the same sizes and positions, but random weights unless
    /// given, no pre-training, a handful of windows of the real shapes from the dataset's synthetic generator, one epoch
    /// of everything at batch 2. It proves every step runs at full size; its numbers mean nothing.
    /// </summary>
    public DirectionConfig Smoke() => this with
    {
        Name = Name + "-smoke",
        Dataset = DatasetSpec.SmokeOf(Dataset),
        Teacher = Teacher with { Epochs = 1, BatchSize = 2 },
        Pretraining = Pretraining with { Objective = PretrainingObjective.None },
        Positions = Positions with { Input = Positions.Input ?? 1, Output = Positions.Output ?? 0 },
        Bridge = Bridge with { Epochs = 1, BatchSize = 2, EvalEvery = 1 },
        Kd = Kd with { Epochs = 1, BatchSize = 2, EvalEvery = 1 },
        KdContrast = KdContrast with { Epochs = 1, BatchSize = 2, EvalEvery = 1 },
    };
}

/// <summary>
/// The paired dataset. Synthetic generators (<c>synwesad</c>, <c>synisruc</c>, <c>synfog</c>) take their size here; real
/// datasets (<c>wesad</c>, <c>isruc-s1</c>, <c>fog</c>) are read from a folder <c>data prepare</c> wrote
/// (<see cref="Prepared"/>). <see cref="Seed"/> seeds the generator and the subject split, and with them the frozen models
/// trained on the data; <see cref="NegativeControl"/> keeps the class only in the old modality, so transfer must fail.
/// </summary>
public sealed record DatasetSpec
{
    public static readonly string[] Generators = ["synwesad", "synisruc", "synfog"];
    public static readonly string[] Recorded = ["wesad", "isruc-s1", "fog"];

    public required string Name { get; init; }
    public string? Prepared { get; init; }
    public int? Subjects { get; init; }

    /// <summary>The generator of a dataset (itself for a synthetic one) at the smallest size, four windows per split.</summary>
    public static DatasetSpec SmokeOf(DatasetSpec d) => (d.Name.StartsWith("syn") ? d.Name : "syn" + d.Name.Replace("-s1", "")) switch
    {
        "synwesad" => new() { Name = "synwesad", Subjects = 4, MinutesPerClass = 1, Seed = d.Seed, WindowsPerSplit = 4 },
        "synisruc" => new() { Name = "synisruc", Subjects = 4, EpochsPerSubject = 4, Seed = d.Seed, WindowsPerSplit = 4 },
        var n => new() { Name = n, Subjects = 4, MinutesPerTask = 0.25, WindowStepSeconds = 3, Seed = d.Seed, WindowsPerSplit = 4 },
    };
    /// <summary>SynWESAD: minutes of each class per subject (paper-like sessions have ~8; the default twin 4).</summary>
    public double? MinutesPerClass { get; init; }
    /// <summary>SynISRUC: 30-s epochs per subject.</summary>
    public int? EpochsPerSubject { get; init; }
    /// <summary>SynFOG: minutes per walking task.</summary>
    public double? MinutesPerTask { get; init; }
    /// <summary>SynFOG: step between 3-s windows in seconds (the paper's 0.3 s gives ten windows per second of walking).</summary>
    public double? WindowStepSeconds { get; init; }
    public int Seed { get; init; }
    public bool NegativeControl { get; init; }
    /// <summary>Keep only the first N windows of each split (smoke runs of the full-size models).</summary>
    public int? WindowsPerSplit { get; init; }
}

/// <summary>One side of the bridge: a modality of the dataset and a zoo model at a size, with optional weights.</summary>
public sealed record RoleSpec
{
    public required string Modality { get; init; }
    /// <summary>A <see cref="ModelZoo"/> name: <c>labram-base</c>, <c>hubert-ecg-small</c>, <c>papagei-s</c>, <c>normwear</c>.</summary>
    public required string Model { get; init; }
    public ModelSize Size { get; init; } = ModelSize.Tiny;
    /// <summary>
    /// Encoder weights (safetensors in the port's names, e.g. from <c>models convert</c>). Null: the new encoder is
    /// pre-trained here without labels (<see cref="PretrainingSpec"/>) and the old one starts from its initialisation.
    /// </summary>
    public string? Weights { get; init; }
    /// <summary>LaBraM only: how a 16-row published time embedding reaches longer inputs (ISRUC's 30 patches).</summary>
    public LabramTimeEmbedding? TimeEmbedding { get; init; }
    /// <summary>Fields of the port's configuration record replaced on top of the size's (<see cref="ConfigOverrides"/>).</summary>
    public System.Text.Json.Nodes.JsonObject? Settings { get; init; }
}

/// <summary>What the new encoder regresses when it is pre-trained here (never the task's classes).</summary>
public enum PretrainingObjective
{
    /// <summary>No pre-training: the encoder keeps its given or initial weights.</summary>
    None,
    /// <summary>Heart rate and RR variability measured by an R-peak detector on the ECG itself.</summary>
    HeartRate,
    /// <summary>Log share of the window's power in each of eight log-spaced frequency bands, averaged over channels.</summary>
    BandPower,
}

/// <summary>
/// Label-free pre-training of the new encoder on other synthetic subjects (<see cref="Subjects"/> of them, drawn with
/// <see cref="DataSeed"/>, never the run's data): the stand-in for the self-supervised pre-training of a real
/// foundation model. Runs only where the new encoder has no weights file.
/// </summary>
public sealed record PretrainingSpec
{
    public PretrainingObjective Objective { get; init; } = PretrainingObjective.BandPower;
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public int Subjects { get; init; } = 6;
    public int DataSeed { get; init; } = 1000;
}

/// <summary>Bridge positions: fixed (m ∈ 1..M reads new block m's output, l ∈ 0..L−1 replaces old block l's input) or, when null, selected in two stages.</summary>
public sealed record PositionSpec
{
    public int? Input { get; init; }
    public int? Output { get; init; }
    public ProbeCriterion Criterion { get; init; } = SelectionOptions.Default.Criterion;
    /// <summary>Which scikit-learn's logistic-regression objective the stage-1 probe reproduces (the release ran 1.5.2).</summary>
    public ProbeObjective ProbeObjective { get; init; } = SelectionOptions.Default.Objective;
    /// <summary>New-model pooling; <c>channels</c> (PaPaGei as new model only) is the release's.</summary>
    public NewPooling NewPooling { get; init; } = SelectionOptions.Default.NewPooling;
    /// <summary>Stage-2 CKA on pooled (the release) or flattened (the paper) features.</summary>
    public Stage2Features Stage2Features { get; init; } = SelectionOptions.Default.Stage2Features;

    public SelectionOptions Options() => new(Criterion, ProbeObjective, NewPooling, Stage2Features);
}
