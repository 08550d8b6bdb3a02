namespace BioXBridge.Evaluation;

/// <summary>
/// scikit-learn's <c>StratifiedKFold(n_splits, shuffle=False)</c> (the ≥ 0.22 / 1.x algorithm in
/// <c>_make_test_folds</c>), reproduced fold for fold so that cross-validated probe scores match the Python
/// release exactly. Folds are deterministic; there is no shuffling option because the method spec fixes
/// shuffle=False.
/// </summary>
public static class StratifiedKFold
{
    /// <summary>
    /// Yields nSplits (train, test) index pairs, each sorted ascending, test sets disjoint and covering 0..n-1.
    /// </summary>
    /// <exception cref="ArgumentException">nSplits &lt; 2, nSplits &gt; n, or every class has fewer than nSplits
    /// members — the three cases where sklearn raises. A class smaller than nSplits while another is large
    /// enough is allowed (sklearn only warns); some test folds then lack that class.</exception>
    public static IEnumerable<(int[] Train, int[] Test)> Split(int[] y, int nSplits)
    {
        // Validate eagerly (not on first MoveNext) so bad arguments fail at the call site.
        int[] testFold = MakeTestFolds(y, nSplits);
        return Enumerate(testFold, nSplits);
    }

    /// <summary>Fold number (0..nSplits-1) in whose test set each sample lands.</summary>
    public static int[] MakeTestFolds(int[] y, int nSplits)
    {
        ArgumentNullException.ThrowIfNull(y);
        int n = y.Length;
        if (nSplits < 2)
            throw new ArgumentException($"nSplits must be at least 2, got {nSplits}.", nameof(nSplits));
        if (nSplits > n)
            throw new ArgumentException(
                $"Cannot have nSplits={nSplits} greater than the number of samples: n_samples={n}.", nameof(nSplits));

        // sklearn encodes classes by order of first appearance (not by label value): np.unique's first-index
        // array, re-ranked. This matters because classes are dealt to folds in that order.
        var code = new Dictionary<int, int>();
        var yEnc = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (!code.TryGetValue(y[i], out int c)) code[y[i]] = c = code.Count;
            yEnc[i] = c;
        }
        int nClasses = code.Count;
        var counts = new int[nClasses];
        foreach (int c in yEnc) counts[c]++;
        if (counts.All(c => nSplits > c))
            throw new ArgumentException(
                $"nSplits={nSplits} cannot be greater than the number of members in each class " +
                $"(largest class has {counts.Max()}).", nameof(nSplits));

        // allocation[f, k] = how many of class k go to test fold f: deal the class-sorted labels round-robin,
        // fold f taking sorted positions f, f + nSplits, ... (sklearn's bincount(y_order[f::n_splits])).
        // Sorted order is class 0's block, then class 1's, ..., so position p belongs to the class whose
        // cumulative range contains p.
        var allocation = new int[nSplits, nClasses];
        for (int k = 0, start = 0; k < nClasses; start += counts[k], k++)
            for (int p = start; p < start + counts[k]; p++)
                allocation[p % nSplits, k]++;

        // Within each class, samples in data order get fold 0 for the first allocation[0,k], then fold 1, ...
        // (np.arange(n_splits).repeat(allocation[:, k]) assigned to y_encoded == k).
        var testFold = new int[n];
        var nextFold = new int[nClasses];
        var leftInFold = new int[nClasses];
        for (int k = 0; k < nClasses; k++) leftInFold[k] = allocation[0, k];
        for (int i = 0; i < n; i++)
        {
            int k = yEnc[i];
            while (leftInFold[k] == 0) leftInFold[k] = allocation[++nextFold[k], k];
            testFold[i] = nextFold[k];
            leftInFold[k]--;
        }
        return testFold;
    }

    private static IEnumerable<(int[] Train, int[] Test)> Enumerate(int[] testFold, int nSplits)
    {
        for (int f = 0; f < nSplits; f++)
        {
            var train = new List<int>(testFold.Length);
            var test = new List<int>(testFold.Length / nSplits + 1);
            for (int i = 0; i < testFold.Length; i++) (testFold[i] == f ? test : train).Add(i);
            yield return (train.ToArray(), test.ToArray());
        }
    }
}
