namespace BioXBridge.Evaluation;

/// <summary>
/// Which scikit-learn's lbfgs logistic-regression objective the stage-1 probe reproduces. Both have the same
/// minimiser; they differ in scale, and the solver's stopping tests (largest gradient entry ≤ tol, relative decrease
/// of f ≤ ftol) therefore stop at different points, which can move a cross-validated score (see docs/fidelity.md).
/// </summary>
public enum ProbeObjective
{
    /// <summary>
    /// scikit-learn ≥ 1.4 (the release ran 1.5.2): mean log-loss + ‖W‖²/(2·C·n), L-BFGS-B with at most 50 line-search
    /// evaluations and ftol = 64·eps.
    /// </summary>
    Sklearn15,
    /// <summary>scikit-learn ≤ 1.3 (e.g. 1.2.1): summed log-loss + ‖W‖²/(2C), scipy's defaults (20 line-search evaluations, ftol = 1e7·eps).</summary>
    Sklearn12,
}
