using BioXBridge.Data;
using BioXBridge.Signals;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// What a new encoder regresses when it is pre-trained here without labels: quantities measured from each window
/// itself, never the task's classes. Each row is one window; <see cref="LatentPretraining"/> standardises the columns.
/// </summary>
public static class PretrainingTargets
{
    /// <summary>(N, 2): heart rate (bpm) and RR standard deviation from an R-peak detector on channel 0 (ECG).</summary>
    public static Tensor HeartRate(SignalWindows ecg) =>
        tensor(Enumerable.Range(0, ecg.Count).SelectMany(i =>
        {
            var (bpm, rrStd) = Signals.HeartRate.Estimate(ecg.Window(i)[..ecg.Samples], ecg.RateHz);
            return new[] { (float)bpm, (float)rrStd };
        }).ToArray(), [ecg.Count, 2]);

    /// <summary>
    /// (N, bands): the window's spectral shape: log of the share of its power in each of <paramref name="bands"/>
    /// geometrically spaced bands from 0.5 Hz to Nyquist, averaged over channels. Heart rate, sleep-stage rhythms, a
    /// theta rise and tremor all move power between these bands; the shares ignore the recording's overall gain, which
    /// differs between people and says nothing about their state.
    /// </summary>
    public static Tensor BandPower(SignalWindows w, int bands = 8)
    {
        using var scope = NewDisposeScope();
        var x = Batches.ToTensor(w);
        x = x - x.mean([-1], keepdim: true);
        var power = fft.rfft(x, dim: -1).abs().pow(2).mean([1]); // (N, bins), averaged over channels
        double nyquist = w.RateHz / 2, low = 0.5, binHz = w.RateHz / w.Samples;
        var columns = new Tensor[bands];
        for (int b = 0; b < bands; b++)
        {
            double lo = low * Math.Pow(nyquist / low, (double)b / bands), hi = low * Math.Pow(nyquist / low, (double)(b + 1) / bands);
            int from = (int)Math.Ceiling(lo / binHz), to = Math.Max(from + 1, (int)Math.Ceiling(hi / binHz));
            columns[b] = power[.., from..Math.Min(to, (int)power.shape[1])].mean([1]);
        }
        var p = stack(columns, 1).add(Scalars.Of(1e-12));
        return p.div(p.sum(1, keepdim: true)).log().MoveToOuterDisposeScope();
    }
}
