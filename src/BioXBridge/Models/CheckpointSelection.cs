namespace BioXBridge.Models;

/// <summary>
/// Which checkpoint a transfer method (bridge, KD, KD-Contrast) reports. The unsupervised setting has no labelled
/// new-modality data, so the default reads no labels: <see cref="HeldOutLoss"/> keeps the evaluated epoch whose training
/// objective is lowest on held-out paired windows — the validation split's recordings of both modalities, their labels
/// unused. <see cref="LastEpoch"/> keeps the final state. <see cref="ValidationLabels"/> keeps the best balanced accuracy
/// on labelled new-modality validation windows: an upper bound a real user could not reach, kept for comparison.
/// The paper and the release do not say which checkpoint they report (docs/fidelity.md).
/// </summary>
public enum CheckpointSelection { HeldOutLoss, LastEpoch, ValidationLabels }

public static class CheckpointSelections
{
    /// <summary>How <see cref="TrainingLoop"/> ranks the validation scores the selection computes.</summary>
    public static Keep Keep(this CheckpointSelection s) => s switch
    {
        CheckpointSelection.HeldOutLoss => Models.Keep.Lowest,
        CheckpointSelection.LastEpoch => Models.Keep.Last,
        _ => Models.Keep.Highest,
    };

    /// <summary>What the validation column of the epoch log holds: the held-out objective unless labels are read.</summary>
    public static string ValidationMetric(this CheckpointSelection s, string heldOutLoss) =>
        s == CheckpointSelection.ValidationLabels ? "validation balanced accuracy" : heldOutLoss;
}
