using BioXBridge.Baselines;
using BioXBridge.Bridge;
using BioXBridge.Models;

namespace BioXBridge.Experiments;

/// <summary>
/// Everything that decides a run's numbers, written verbatim into <c>record.json</c>. The defaults are the embedded
/// demo: SynWESAD (synthetic), PPG as the old (labelled) modality, ECG as the new one, tiny encoders, CPU.
/// <see cref="Seed"/> drives training randomness (bridge init, batch order, KD, random baseline) as the paper's five
/// seeds do; <see cref="DataSeed"/> fixes the synthetic dataset and with it the teacher and the pre-trained encoder.
/// </summary>
public sealed record ExperimentConfig
{
    public string Name { get; init; } = "synwesad-ppg-to-ecg";
    public int Seed { get; init; }
    public int DataSeed { get; init; }
    public bool NegativeControl { get; init; }
    public int Subjects { get; init; } = 15;
    public double MinutesPerClass { get; init; } = 4;
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// A folder written by <c>bioxbridge data prepare wesad|synwesad</c>; null renders SynWESAD in memory. Its own split
    /// is used as prepared, and the teacher is trained on its train split (the weights' name includes the data's hash).
    /// </summary>
    public string? PreparedData { get; init; }
    /// <summary>Safetensors files to load instead of the store's recipes (e.g. <c>pretrain</c> output); null uses the store.</summary>
    public string? NewEncoderWeights { get; init; }
    public string? TeacherWeights { get; init; }

    public PaPaGeiConfig OldModel { get; init; } = PaPaGeiConfig.Tiny;
    public HuBertEcgConfig NewModel { get; init; } = HuBertEcgConfig.Tiny;

    /// <summary>PaPaGei on WESAD is fully fine-tuned in the paper; the tiny one starts from scratch, hence the larger lr.</summary>
    public TeacherConfig Teacher { get; init; } = new(Epochs: 30, BatchSize: 32, LearningRate: 1e-3, FineTuneEncoder: true);

    /// <summary>Label-free pre-training of the new encoder on other synthetic subjects (see <see cref="LatentPretraining"/>).</summary>
    public LoopConfig Pretraining { get; init; } = new(Epochs: 20, BatchSize: 32, LearningRate: 1e-3);
    public int PretrainingSubjects { get; init; } = 6;
    public int PretrainingDataSeed { get; init; } = 1000;

    public int Rank { get; init; } = 4;
    public int Prototypes { get; init; } = 16;
    public PrototypeInit PrototypeInit { get; init; } = PrototypeInit.Gaussian;
    public BridgeTrainingConfig Bridge { get; init; } = new(Epochs: 30, LearningRate: 3e-3);
    public ProbeCriterion Criterion { get; init; } = ProbeCriterion.F1Macro;
    /// <summary>Fixed positions skip selection (m ∈ 1..M, l ∈ 0..L−1); null selects them (paper §3.3).</summary>
    public int? InputPosition { get; init; }
    public int? OutputPosition { get; init; }

    public DistillationConfig Distillation { get; init; } = new(Epochs: 10, LearningRate: 1e-3);
    public bool RunDistillation { get; init; } = true;
}
