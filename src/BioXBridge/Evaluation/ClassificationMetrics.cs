namespace BioXBridge.Evaluation;

/// <summary>
/// The paper's classification metrics (§8 of the method spec), with scikit-learn's exact semantics so that
/// numbers are comparable with the Python release: balanced accuracy, F1-macro and F1-weighted are the
/// paper's three; accuracy, Cohen's kappa and the confusion matrix are reported alongside.
/// </summary>
/// <param name="Accuracy">Fraction of exact matches (sklearn <c>accuracy_score</c>).</param>
/// <param name="BalancedAccuracy">Mean per-class recall over the classes present in y_true
/// (sklearn <c>balanced_accuracy_score</c>, adjusted=False).</param>
/// <param name="F1Macro">Unweighted mean F1 over labels present in y_true ∪ y_pred (zero_division → 0).</param>
/// <param name="F1Weighted">F1 per label weighted by its true support (zero_division → 0).</param>
/// <param name="Kappa">Cohen's kappa (unweighted). NaN when undefined (expected agreement is 1), as sklearn.</param>
/// <param name="Confusion">Counts, rows = true class, columns = predicted class, over 0..numClasses-1.</param>
public sealed record ClassificationMetrics(
    double Accuracy,
    double BalancedAccuracy,
    double F1Macro,
    double F1Weighted,
    double Kappa,
    int[][] Confusion)
{
    /// <summary>Computes all metrics from integer labels in [0, numClasses).</summary>
    /// <exception cref="ArgumentException">Length mismatch, empty input, or a label outside [0, numClasses).</exception>
    public static ClassificationMetrics Compute(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be at least 1.");
        if (yTrue.Count != yPred.Count)
            throw new ArgumentException(
                $"yTrue has {yTrue.Count} labels but yPred has {yPred.Count}; they must have the same length.");
        if (yTrue.Count == 0)
            throw new ArgumentException("Cannot compute metrics on zero samples.", nameof(yTrue));

        int n = yTrue.Count;
        var confusion = new int[numClasses][];
        for (int k = 0; k < numClasses; k++) confusion[k] = new int[numClasses];
        for (int i = 0; i < n; i++)
        {
            int t = yTrue[i], p = yPred[i];
            if ((uint)t >= (uint)numClasses)
                throw new ArgumentException(
                    $"yTrue[{i}] = {t} is outside the label range [0, {numClasses - 1}].", nameof(yTrue));
            if ((uint)p >= (uint)numClasses)
                throw new ArgumentException(
                    $"yPred[{i}] = {p} is outside the label range [0, {numClasses - 1}].", nameof(yPred));
            confusion[t][p]++;
        }

        var support = new long[numClasses];   // row sums: true count per class
        var predicted = new long[numClasses]; // column sums: predicted count per class
        long correct = 0;
        for (int t = 0; t < numClasses; t++)
            for (int p = 0; p < numClasses; p++)
            {
                support[t] += confusion[t][p];
                predicted[p] += confusion[t][p];
                if (t == p) correct += confusion[t][p];
            }

        double accuracy = (double)correct / n;

        // sklearn drops classes absent from y_true (their recall is 0/0) rather than counting them as 0.
        double recallSum = 0;
        int presentInTrue = 0;
        for (int k = 0; k < numClasses; k++)
        {
            if (support[k] == 0) continue;
            recallSum += (double)confusion[k][k] / support[k];
            presentInTrue++;
        }
        double balancedAccuracy = recallSum / presentInTrue;

        // sklearn's label set for averaging is unique_labels(y_true, y_pred): a class neither true nor predicted
        // must not dilute the macro mean. F1 = 2TP / (2TP + FP + FN) equals 2PR/(P+R) whenever that is defined,
        // and gives 0 exactly where sklearn's zero_division default sets precision or recall (and hence F1) to 0.
        double f1Sum = 0, f1WeightedSum = 0;
        int labelsUsed = 0;
        for (int k = 0; k < numClasses; k++)
        {
            if (support[k] == 0 && predicted[k] == 0) continue;
            long tp = confusion[k][k];
            long fp = predicted[k] - tp;
            long fn = support[k] - tp;
            double f1 = tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
            f1Sum += f1;
            f1WeightedSum += f1 * support[k];
            labelsUsed++;
        }
        double f1Macro = f1Sum / labelsUsed;
        double f1Weighted = f1WeightedSum / n; // Σ support = n > 0, so sklearn's all-zero-weight case cannot occur

        // Kappa = 1 − Σ_{t≠p} C / Σ_{t≠p} E with E = outer(row sums, col sums)/n, which is sklearn's formula with
        // its unweighted w_mat; all-zero rows/columns for unused classes add nothing, so computing over
        // numClasses is the same as over sklearn's label set. When every sample is one class in both vectors
        // the denominator is 0 and sklearn returns NaN (0/0); we keep that rather than inventing a value.
        double observedOff = n - correct;
        double expectedOff = 0;
        for (int t = 0; t < numClasses; t++)
            for (int p = 0; p < numClasses; p++)
                if (t != p) expectedOff += (double)support[t] * predicted[p] / n;
        double kappa = expectedOff == 0 ? double.NaN : 1.0 - observedOff / expectedOff;

        return new ClassificationMetrics(accuracy, balancedAccuracy, f1Macro, f1Weighted, kappa, confusion);
    }
}
