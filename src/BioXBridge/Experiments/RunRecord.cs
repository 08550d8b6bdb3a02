using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using BioXBridge.Evaluation;

namespace BioXBridge.Experiments;

/// <summary>Metrics as fractions 0–1, plus the confusion matrix (rows true, columns predicted).</summary>
public sealed record MetricValues(double Accuracy, double BalancedAccuracy, double F1Macro, double F1Weighted, double Kappa,
                                  int[][] Confusion)
{
    public static MetricValues From(ClassificationMetrics m) =>
        new(m.Accuracy, m.BalancedAccuracy, m.F1Macro, m.F1Weighted, m.Kappa, m.Confusion);
}

/// <summary>One method's test result. <see cref="Input"/> is the modality fed at test time.</summary>
public sealed record MethodResult(string Input, long? TrainableParameters, MetricValues Metrics, double Seconds,
                                  IReadOnlyList<Models.EpochLog>? History = null, int? BestEpoch = null,
                                  Models.CheckpointSelection? Selection = null, string? ValidationMetric = null);

/// <summary>The chosen positions, both stages' profiles and the selection settings that produced them (null in records
/// written before the settings were recorded).</summary>
public sealed record PositionRecord(int Input, int Output, double[] Stage1, double[] Stage2, string Criterion,
                                    string? ProbeObjective = null, string? NewPooling = null, string? Stage2Features = null)
{
    public static PositionRecord From(Bridge.PositionScores p) => new(p.Input, p.Output, p.Stage1, p.Stage2, p.Criterion.ToString(),
        p.Options.Objective.ToString(), p.Options.NewPooling.ToString(), p.Options.Stage2Features.ToString());
}

/// <summary>Split name → subjects and window count, with a hash of the windows so a reader can tell datasets apart.</summary>
public sealed record SplitRecord(string[] Subjects, int Windows, int[] ClassCounts, string Sha256);

/// <summary>
/// Everything a reader needs to trust or repeat a run: schema <c>bioxbridge.run/1</c>. <see cref="Synthetic"/> says
/// whether the data were a synthetic stand-in; reports and figures repeat it so such numbers are never mistaken for
/// the paper's real-data results.
/// </summary>
public sealed record RunRecord
{
    public string Schema { get; init; } = "bioxbridge.run/2";
    public required string Name { get; init; }
    /// <summary>The direction's name (the config itself, fully resolved, is <see cref="Config"/>).</summary>
    public required string Direction { get; init; }
    public required int Seed { get; init; }
    public required string Dataset { get; init; }
    public required bool Synthetic { get; init; }
    public required string DataNote { get; init; }
    /// <summary>"subject" (no subject in two splits) or "window" (the release's FOG split: subject leakage, also said in
    /// <see cref="DataNote"/>). Records written before this field read as "subject".</summary>
    public string SplitUnit { get; init; } = "subject";
    public required string OldModality { get; init; }
    public required string NewModality { get; init; }
    public required string[] ClassNames { get; init; }
    public required PositionRecord Positions { get; init; }
    public required IReadOnlyDictionary<string, MethodResult> Methods { get; init; }
    public required IReadOnlyDictionary<string, SplitRecord> Splits { get; init; }
    public required IReadOnlyDictionary<string, string> Weights { get; init; }
    /// <summary>What this run took from an earlier step of the same process instead of recomputing it.</summary>
    public IReadOnlyDictionary<string, string> Reused { get; init; } = new Dictionary<string, string>();
    public required long PeakMemoryBytes { get; init; }
    public required double Seconds { get; init; }
    public required DateTime StartedUtc { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    /// <summary>Whether the same seed on the same setup gives the same bits (CPU yes, CUDA as run here no); null in
    /// records written before the field existed, which were all CPU runs unless <see cref="Versions"/> says otherwise.</summary>
    public Determinism? Determinism { get; init; }
    public required DirectionConfig Config { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // readable apostrophes and arrows; the file is not HTML
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunRecord FromJson(string json, string source) =>
        JsonSerializer.Deserialize<RunRecord>(json, Json)
        ?? throw new InvalidDataException($"{source}: empty run record");
}
