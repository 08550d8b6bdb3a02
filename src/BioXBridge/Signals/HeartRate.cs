namespace BioXBridge.Signals;

/// <summary>
/// Heart rate and RR variability of an ECG window from a plain R-peak detector. It provides label-free physiological
/// targets for pre-training the new-modality encoder. The threshold is relative to the window's own 99.5th percentile
/// rather than fixed, so baseline wander and tall T waves are not counted as beats.
/// </summary>
public static class HeartRate
{
    /// <summary>(beats per minute, RR standard deviation in ms); a window with fewer than two peaks gives (0, 0).</summary>
    public static (double Bpm, double RrStdMs) Estimate(ReadOnlySpan<float> ecg, double rateHz,
                                                        double relativeThreshold = 0.55, double refractorySeconds = 0.3)
    {
        if (ecg.Length < 3) return (0, 0);
        var sorted = ecg.ToArray();
        Array.Sort(sorted);
        double threshold = relativeThreshold * sorted[(int)Math.Round(0.995 * (sorted.Length - 1))];
        if (!(threshold > 0)) return (0, 0); // flat or inverted window: no R peaks to find
        int refractory = (int)(refractorySeconds * rateHz);
        var peaks = new List<int>();
        for (int i = 1; i < ecg.Length - 1; i++)
        {
            if (ecg[i] < threshold || ecg[i] <= ecg[i - 1] || ecg[i] < ecg[i + 1]) continue;
            if (peaks.Count > 0 && i - peaks[^1] < refractory)
            {
                if (ecg[i] > ecg[peaks[^1]]) peaks[^1] = i; // keep the taller peak of a close pair
                continue;
            }
            peaks.Add(i);
        }
        if (peaks.Count < 2) return (0, 0);
        var rr = peaks.Zip(peaks.Skip(1), (a, b) => (b - a) / rateHz).ToArray();
        double mean = rr.Average();
        double std = Math.Sqrt(rr.Sum(r => (r - mean) * (r - mean)) / rr.Length);
        return (60 / mean, 1000 * std);
    }
}
