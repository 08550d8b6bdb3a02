namespace BioXBridge.Evaluation;

/// <summary>Mean held-out scores of the stage-1 linear probe over the cross-validation folds.</summary>
/// <param name="F1Macro">Mean per-fold macro-F1 — the default selection criterion (higher is better).</param>
/// <param name="Accuracy">Mean per-fold accuracy — the paper's Eq. 4 alternative (higher is better).</param>
/// <param name="LogLoss">Mean per-fold cross-entropy — the paper's "probe loss" alternative (lower is better).</param>
/// <param name="F1PerFold">Macro-F1 of each fold in sklearn's order (fold f holds out StratifiedKFold's f-th test set):
/// what the release's cross_val_score returns before it prints mean ± std.</param>
public sealed record ProbeScores(double F1Macro, double Accuracy, double LogLoss, double[] F1PerFold);

/// <summary>
/// Stage 1 of bridge position selection (see docs/fidelity.md): how linearly decodable the old model's pseudo-labels
/// are from a candidate new-model block's pooled features. Equivalent to sklearn's
/// <c>cross_val_score(LogisticRegression(C=1, max_iter=1000), X, ŷ, cv=StratifiedKFold(folds), scoring=…)</c>
/// for f1_macro, accuracy and neg_log_loss: stratified unshuffled folds, no feature standardisation. The release calls
/// it with <c>cv=5</c>, which sklearn turns into exactly <c>StratifiedKFold(5)</c> (no shuffle) for class labels.
/// </summary>
public static class LinearProbe
{
    /// <summary>Cross-validates a logistic-regression probe of <paramref name="pseudoLabels"/> from rows of X.</summary>
    /// <exception cref="ArgumentException">Row/label count mismatch, a label outside [0, numClasses), fewer
    /// than two distinct pseudo-labels, or folds the labels cannot support (see <see cref="StratifiedKFold"/>).</exception>
    public static ProbeScores CrossValidate(double[][] X, int[] pseudoLabels, int numClasses, int folds = 5,
        double C = 1, int maxIter = 1000, ProbeObjective objective = ProbeObjective.Sklearn15)
    {
        ArgumentNullException.ThrowIfNull(X);
        ArgumentNullException.ThrowIfNull(pseudoLabels);
        if (X.Length != pseudoLabels.Length)
            throw new ArgumentException($"X has {X.Length} rows but there are {pseudoLabels.Length} pseudo-labels.");
        for (int i = 0; i < pseudoLabels.Length; i++)
            if ((uint)pseudoLabels[i] >= (uint)numClasses)
                throw new ArgumentException(
                    $"pseudoLabels[{i}] = {pseudoLabels[i]} is outside the label range [0, {numClasses - 1}].",
                    nameof(pseudoLabels));

        // One pseudo-label class overall means the old model's head is constant on D_pair. sklearn would fail
        // every fold (lbfgs needs two classes) and cross_val_score would return NaN; a NaN (or a trivially
        // perfect score) would silently decide the argmax over layers, so we refuse instead: no layer can be
        // ranked by this criterion and the caller must pick another pairing set or criterion.
        if (pseudoLabels.Distinct().Take(2).Count() < 2)
            throw new ArgumentException(
                $"All {pseudoLabels.Length} pseudo-labels are class {pseudoLabels[0]}; a probe needs at least two " +
                "classes to rank positions.", nameof(pseudoLabels));

        double f1Sum = 0, accSum = 0, lossSum = 0;
        var f1PerFold = new List<double>(folds);
        foreach (var (train, test) in StratifiedKFold.Split(pseudoLabels, folds))
        {
            var xTrain = Rows(X, train);
            var yTrain = Labels(pseudoLabels, train);
            var xTest = Rows(X, test);
            var yTest = Labels(pseudoLabels, test);

            int[] predicted;
            double logLoss;
            if (yTrain.Distinct().Take(2).Count() < 2)
            {
                // A training fold can still hold a single class when the others are smaller than the fold count
                // and all fall in this test fold. sklearn would give NaN for this fold (and for the mean); we
                // score the only sensible model instead — always predict the training class with probability 1
                // (log-loss clipped as in LogisticRegression.LogLoss) — so one rare class cannot wipe out a layer.
                int only = yTrain[0];
                predicted = Enumerable.Repeat(only, test.Length).ToArray();
                double hit = -Math.Log(1 - 2.220446049250313e-16), miss = -Math.Log(2.220446049250313e-16);
                logLoss = yTest.Average(t => t == only ? hit : miss);
            }
            else
            {
                var model = LogisticRegression.Fit(xTrain, yTrain, numClasses, C, maxIter, objective: objective);
                predicted = model.Predict(xTest);
                logLoss = model.LogLoss(xTest, yTest);
            }

            var metrics = ClassificationMetrics.Compute(yTest, predicted, numClasses);
            f1Sum += metrics.F1Macro;
            f1PerFold.Add(metrics.F1Macro);
            accSum += metrics.Accuracy;
            lossSum += logLoss;
        }
        return new ProbeScores(f1Sum / folds, accSum / folds, lossSum / folds, [.. f1PerFold]);
    }

    private static double[][] Rows(double[][] X, int[] idx)
    {
        var rows = new double[idx.Length][];
        for (int i = 0; i < idx.Length; i++) rows[i] = X[idx[i]];
        return rows;
    }

    private static int[] Labels(int[] y, int[] idx)
    {
        var labels = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++) labels[i] = y[idx[i]];
        return labels;
    }
}
