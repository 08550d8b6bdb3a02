namespace BioXBridge.Data;

/// <summary>
/// One WESAD recording session in its raw in-memory form: chest ECG at <see cref="EcgHz"/>, wrist BVP (PPG) at
/// <see cref="BvpHz"/>, and the study-protocol label track at the chest rate (0 transient, 1 baseline, 2 stress,
/// 3 amusement, 4 meditation, 5–7 ignore). Both the SynWESAD generator and a real <c>SX.pkl</c> reader produce this.
/// </summary>
public sealed record WesadSession(string Subject, double[] ChestEcg, double[] WristBvp, int[] Label)
{
    public const double EcgHz = 700;
    public const double BvpHz = 64;
    public const double LabelHz = EcgHz;

    public double DurationSeconds => ChestEcg.Length / EcgHz;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the subject when the tracks cannot belong together.</summary>
    public void Validate()
    {
        if (ChestEcg.Length != Label.Length)
            throw new InvalidDataException(
                $"subject {Subject}: chest ECG has {ChestEcg.Length} samples but the label track has {Label.Length} (both should be {EcgHz} Hz)");
        if (ChestEcg.Length == 0 || WristBvp.Length == 0)
            throw new InvalidDataException($"subject {Subject}: empty signal (ECG {ChestEcg.Length}, BVP {WristBvp.Length} samples)");
        double ecgS = ChestEcg.Length / EcgHz, bvpS = WristBvp.Length / BvpHz;
        // Chest and wrist devices are started and stopped separately; more than a minute apart means a mismatched pair.
        if (Math.Abs(ecgS - bvpS) > 60)
            throw new InvalidDataException($"subject {Subject}: ECG lasts {ecgS:F1} s but BVP {bvpS:F1} s");
    }
}
