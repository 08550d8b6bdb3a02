namespace BioXBridge.Data;

/// <summary>
/// One ISRUC-Sleep subgroup-I subject as the readers produce it (and the SynISRUC generator renders it): every channel
/// as 30-s epochs at 200 Hz (<c>epochs × 6000</c>, the <c>ExtractedChannels/subject&lt;n&gt;.mat</c> layout), keyed by
/// derivation name (<c>F3_A2, C3_A2, O1_A2, F4_A1, C4_A1, O2_A1</c> for EEG, <c>X2</c> for ECG), and scorer 1's stage
/// per epoch with the trailing 30 labels already dropped.
/// </summary>
public sealed record IsrucSession(string Subject, IReadOnlyDictionary<string, double[][]> Channels, SleepStage[] Stages)
{
    public const double Hz = 200;
    public const int EpochSamples = 6000;
    public static readonly string[] EegChannels = ["F3_A2", "C3_A2", "O1_A2", "F4_A1", "C4_A1", "O2_A1"];
    public const string EcgChannel = "X2";

    public int Epochs => Stages.Length;

    /// <summary>Checks that the paper's channels exist and every one has one 6000-sample row per labelled epoch.</summary>
    public void Validate(string source)
    {
        foreach (var name in EegChannels.Append(EcgChannel))
        {
            if (!Channels.TryGetValue(name, out var rows))
                throw new InvalidDataException($"{source}: channel '{name}' missing (has: {string.Join(", ", Channels.Keys)})");
            if (rows.Length != Epochs)
                throw new InvalidDataException($"{source}: channel '{name}' has {rows.Length} epochs; the scorer file labels {Epochs}");
            if (rows.Any(r => r.Length != EpochSamples))
                throw new InvalidDataException($"{source}: channel '{name}': expected {EpochSamples} samples per epoch (30 s at 200 Hz)");
        }
    }
}
