using BioXBridge.Evaluation;

namespace BioXBridge.Bridge;

/// <summary>How a new-model block output becomes one vector per recording for stage 1 (and for stage 2 when pooled).</summary>
public enum NewPooling
{
    /// <summary>Mean over the sequence axis (tokens, or time for a channel-major CNN): one value per feature.</summary>
    Length,
    /// <summary>
    /// Channel-major encoders (PaPaGei) only: mean over the channel axis, one value per time step. The release does
    /// this for PaPaGei as the new model (a mean over axis 1 of its (batch, channels, length) output).
    /// </summary>
    Channels,
}

/// <summary>Which features stage 2 compares by linear CKA.</summary>
public enum Stage2Features
{
    /// <summary>The stage-1 (pooled) new features against each old block's input mean-pooled per feature: the release.</summary>
    Pooled,
    /// <summary>Both sides flattened per recording (tokens·d values): the paper's definition of the selection features.</summary>
    Flatten,
}

/// <summary>
/// Every setting of the two-stage position selection, with the kit's defaults (the direction config's <c>positions</c>
/// section starts from <see cref="Default"/>). Defaults and the release's values are compared in docs/fidelity.md.
/// </summary>
/// <param name="Criterion">What stage 1 maximises; macro-F1 is what the release scores.</param>
/// <param name="Objective">Which scikit-learn's logistic-regression objective the probe reproduces; the release ran 1.5.2.</param>
/// <param name="NewPooling">Pooling of new-model features; <see cref="Bridge.NewPooling.Channels"/> is the release's for PaPaGei.</param>
/// <param name="Stage2Features">Pooled (the release) or flattened (the paper) stage-2 features.</param>
/// <param name="Folds">Stratified, unshuffled cross-validation folds of the probe (the release's cv=5).</param>
public sealed record SelectionOptions(
    ProbeCriterion Criterion = ProbeCriterion.F1Macro,
    ProbeObjective Objective = ProbeObjective.Sklearn15,
    NewPooling NewPooling = NewPooling.Length,
    Stage2Features Stage2Features = Stage2Features.Pooled,
    int Folds = 5)
{
    public static readonly SelectionOptions Default = new();
}
