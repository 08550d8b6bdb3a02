namespace BioXBridge.Tests.Data;

/// <summary>Deliberately trivial hand-made features and a nearest-class-mean rule, to probe what each modality carries.</summary>
internal static class SignalFeatures
{
    /// <summary>Mean R-R interval (s) from a threshold-and-refractory R-peak detector on a z-scored ECG window.</summary>
    public static double MeanRr(ReadOnlySpan<float> x, double fs)
    {
        var peaks = Peaks(x, fs, fraction: 0.55, refractoryS: 0.3);
        return peaks.Count < 2 ? double.NaN : (peaks[^1] - peaks[0]) / (fs * (peaks.Count - 1));
    }

    /// <summary>Sample skewness: a narrow systolic pulse without a diastolic wave is more right-skewed than a broad one.</summary>
    public static double Skewness(ReadOnlySpan<float> x)
    {
        double m = 0;
        foreach (var v in x) m += v;
        m /= x.Length;
        double m2 = 0, m3 = 0;
        foreach (var v in x) { double d = v - m; m2 += d * d; m3 += d * d * d; }
        m2 /= x.Length; m3 /= x.Length;
        return m3 / Math.Pow(m2, 1.5);
    }

    static List<int> Peaks(ReadOnlySpan<float> x, double fs, double fraction, double refractoryS)
    {
        var sorted = x.ToArray();
        Array.Sort(sorted);
        double thr = fraction * sorted[(int)(0.995 * (sorted.Length - 1))];
        var peaks = new List<int>();
        for (int i = 1; i < x.Length - 1; i++)
        {
            if (x[i] < thr || x[i] < x[i - 1] || x[i] <= x[i + 1]) continue;
            if (peaks.Count > 0 && i - peaks[^1] < refractoryS * fs)
            {
                if (x[i] > x[peaks[^1]]) peaks[^1] = i;
                continue;
            }
            peaks.Add(i);
        }
        return peaks;
    }

    /// <summary>
    /// Two-fold subject-wise accuracy of a nearest-class-mean rule on a 1-D feature: class means from one half of the
    /// subjects, predictions on the other half, and back. (Leave-one-subject-out is biased below chance for a feature
    /// that carries no class, because removing a subject pulls its own class means away from it.)
    /// </summary>
    public static double HeldOutAccuracy(double[] feature, int[] labels, string[] subjects, int classes = 3)
    {
        var names = subjects.Distinct().ToArray();
        int correct = 0, total = 0;
        for (int fold = 0; fold < 2; fold++)
        {
            var test = names.Where((_, k) => k % 2 == fold).ToHashSet();
            var mean = new double[classes];
            for (int c = 0; c < classes; c++)
                mean[c] = Enumerable.Range(0, feature.Length)
                    .Where(i => !test.Contains(subjects[i]) && labels[i] == c && !double.IsNaN(feature[i])).Average(i => feature[i]);
            for (int i = 0; i < feature.Length; i++)
            {
                if (!test.Contains(subjects[i])) continue;
                int best = 0;
                for (int c = 1; c < classes; c++) if (Math.Abs(feature[i] - mean[c]) < Math.Abs(feature[i] - mean[best])) best = c;
                total++;
                if (best == labels[i]) correct++;
            }
        }
        return (double)correct / total;
    }
}
