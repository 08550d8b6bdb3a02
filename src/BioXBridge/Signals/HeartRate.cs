namespace BioXBridge.Signals;

/// <summary>
/// Heart rate and RR variability of a z-scored ECG window from a plain R-peak detector (threshold plus refractory
/// period). It provides label-free physiological targets for pre-training the new-modality encoder.
/// </summary>
public static class HeartRate
{
    /// <summary>(beats per minute, RR standard deviation in ms); NaN-free: a window without two peaks gives (0, 0).</summary>
    public static (double Bpm, double RrStdMs) Estimate(ReadOnlySpan<float> ecg, double rateHz, double threshold = 1.5)
    {
        int refractory = (int)(0.25 * rateHz);
        var peaks = new List<int>();
        for (int i = 1; i < ecg.Length - 1; i++)
        {
            if (ecg[i] < threshold || ecg[i] < ecg[i - 1] || ecg[i] < ecg[i + 1]) continue;
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
