using System.Numerics;
using BioXBridge.Signals;

namespace BioXBridge.Data;

/// <summary>How the 700-Hz label track is carried to each signal's final rate.</summary>
public enum LabelResampling
{
    /// <summary>Each output sample takes the label of the nearest source sample in time (no ringing; the default).</summary>
    Nearest,
    /// <summary>The release's <c>round(scipy.signal.resample(labels, n))</c>: rings at label steps, for exact replication.</summary>
    FftRound,
}

public sealed record WesadPreprocessingOptions(LabelResampling Labels = LabelResampling.Nearest, double WindowSeconds = 60, double StepSeconds = 5);

/// <summary>
/// The paper's WESAD pipeline (the release's <c>make_WESAD.py</c>): ECG for HuBERT-ECG at 100 Hz, PPG for PaPaGei at 125 Hz, 60-s windows every
/// 5 s that lie wholly inside one baseline / stress / amusement segment. Works identically on SynWESAD and real WESAD.
/// </summary>
public static class WesadPreprocessing
{
    public const double EcgHz = 100, PpgHz = 125;
    const double EcgFilterHz = 500;
    public static IReadOnlyList<string> ClassNames { get; } = ["baseline", "stress", "amusement"];

    // biosppy filter_signal(FIR, bandpass, order 150, [0.05, 47] Hz) at 500 Hz → 151 taps; PaPaGei's Chebyshev-I at 125 Hz.
    static readonly double[] EcgFir = FirFilter.BandPassTaps(150, 0.05, 47, EcgFilterHz);
    static readonly (double[] b, double[] a) PpgIir = Chebyshev1.BandPass(4, 0.5, 0.5, 12, PpgHz);

    /// <summary>ECG → linear to 500 Hz → FIR 0.05–47 Hz filtfilt → linear to 100 Hz (no normalisation; ISRUC z-scores per epoch).</summary>
    public static double[] FilterEcg(ReadOnlySpan<double> ecg, double fromHz)
    {
        var x500 = Resampling.Linear(ecg, fromHz, EcgFilterHz);
        var filtered = ZeroPhaseFilter.FiltFilt(EcgFir, [1.0], x500);
        return Resampling.Linear(filtered, EcgFilterHz, EcgHz);
    }

    /// <summary>Whole-session ECG preparation: <see cref="FilterEcg"/> then z-score.</summary>
    public static double[] PrepareEcg(ReadOnlySpan<double> ecg, double fromHz = WesadSession.EcgHz) =>
        Normalization.ZScore(FilterEcg(ecg, fromHz));

    /// <summary>PPG → FFT resampling to floor(n·125/f) → Chebyshev-I 0.5–12 Hz filtfilt → z-score.</summary>
    public static double[] PreparePpg(ReadOnlySpan<double> bvp, double fromHz = WesadSession.BvpHz)
    {
        var x = Resampling.Fft(bvp, (int)Math.Floor(bvp.Length * PpgHz / fromHz));
        return Normalization.ZScore(ZeroPhaseFilter.FiltFilt(PpgIir.b, PpgIir.a, x));
    }

    /// <summary>Label track resampled to <paramref name="targetLength"/> samples covering the same duration.</summary>
    public static int[] CarryLabels(ReadOnlySpan<int> labels, int targetLength, LabelResampling mode)
    {
        var y = new int[targetLength];
        if (targetLength == 0) return y;
        if (labels.Length == 0) throw new ArgumentException("label track is empty");
        if (mode == LabelResampling.FftRound)
        {
            var src = new double[labels.Length];
            for (int i = 0; i < src.Length; i++) src[i] = labels[i];
            var r = Resampling.Fft(src, targetLength);
            for (int j = 0; j < targetLength; j++) y[j] = (int)Math.Round(r[j]);   // np.round: half to even
            return y;
        }
        // Output sample j sits at time j/n_dst of the session, i.e. source position j·n_src/n_dst; round half up exactly.
        // The index (2jn + m) div 2m is stepped exactly: add 2n to the numerator per output, carrying whole 2m's, which
        // avoids a 64-bit division per sample.
        long n = labels.Length, m = targetLength, den = 2 * m, qStep = 2 * n / den, rStep = 2 * n % den;
        long q = m / den, rem = m % den;
        for (int j = 0; j < targetLength; j++)
        {
            y[j] = labels[(int)Math.Min(n - 1, q)];
            q += qStep; rem += rStep;
            if (rem >= den) { q++; rem -= den; }
        }
        return y;
    }

    /// <summary>
    /// Windows of <paramref name="window"/> samples every <paramref name="step"/>; count = (n − w)//s + 1. A window is
    /// kept when every label in it is the same and is baseline/stress/amusement (1/2/3), mapped to class 0/1/2.
    /// </summary>
    public static (int[] Starts, int[] Classes) SelectWindows(ReadOnlySpan<int> labels, int window, int step)
    {
        if (window < 1 || step < 1) throw new ArgumentException($"window ({window}) and step ({step}) must be positive");
        var starts = new List<int>(); var classes = new List<int>();
        int count = labels.Length < window ? 0 : (labels.Length - window) / step + 1;
        for (int i = 0; i < count; i++)
        {
            var w = labels.Slice(i * step, window);
            int l = w[0];
            if (l < 1 || l > 3 || w.ContainsAnyExcept(l)) continue;
            starts.Add(i * step); classes.Add(l - 1);
        }
        return (starts.ToArray(), classes.ToArray());
    }

    /// <summary>Both modalities of one session, windowed and paired. Throws if ECG and PPG disagree on the windows.</summary>
    public static PairedWindows Prepare(WesadSession s, string dataset, bool synthetic, WesadPreprocessingOptions? o = null)
    {
        o ??= new WesadPreprocessingOptions();
        s.Validate();
        var ecg = PrepareEcg(s.ChestEcg);
        var ppg = PreparePpg(s.WristBvp);
        int ew = Samples(o.WindowSeconds, EcgHz), es = Samples(o.StepSeconds, EcgHz);
        int pw = Samples(o.WindowSeconds, PpgHz), ps = Samples(o.StepSeconds, PpgHz);
        var (eStarts, eClasses) = SelectWindows(CarryLabels(s.Label, ecg.Length, o.Labels), ew, es);
        var (pStarts, pClasses) = SelectWindows(CarryLabels(s.Label, ppg.Length, o.Labels), pw, ps);
        // The two tracks are windowed independently (as the release does) and must agree; a mismatch means misaligned data.
        if (eStarts.Length != pStarts.Length)
            throw new InvalidDataException($"subject {s.Subject}: ECG gives {eStarts.Length} windows but PPG gives {pStarts.Length}");
        for (int i = 0; i < eStarts.Length; i++)
            if (eClasses[i] != pClasses[i] || eStarts[i] / es != pStarts[i] / ps)
                throw new InvalidDataException(
                    $"subject {s.Subject}: ECG and PPG both give {eStarts.Length} windows but window {i} differs " +
                    $"(ECG step {eStarts[i] / es} class {eClasses[i]}, PPG step {pStarts[i] / ps} class {pClasses[i]})");

        return new PairedWindows(dataset, synthetic, ClassNames,
            new SignalWindows("ecg", EcgHz, 1, ew, Cut(ecg, eStarts, ew)),
            new SignalWindows("ppg", PpgHz, 1, pw, Cut(ppg, pStarts, pw)),
            eClasses, Enumerable.Repeat(s.Subject, eStarts.Length).ToArray());
    }

    /// <summary>All sessions (two at a time), concatenated in the given subject order, so the result is deterministic.</summary>
    public static PairedWindows PrepareAll(IReadOnlyList<WesadSession> sessions, string dataset, bool synthetic, WesadPreprocessingOptions? o = null)
        => PairedWindows.PrepareEach(sessions, r => Prepare(r, dataset, synthetic, o));

    static int Samples(double seconds, double hz)
    {
        double v = seconds * hz;
        if (!(v >= 1) || Math.Abs(v - Math.Round(v)) > 1e-9)
            throw new ArgumentException($"{seconds} s at {hz} Hz is not a whole, positive number of samples");
        return (int)Math.Round(v);
    }

    static float[] Cut(double[] x, int[] starts, int window)
    {
        var v = new float[starts.Length * window];
        for (int i = 0; i < starts.Length; i++) Narrow(x.AsSpan(starts[i], window), v.AsSpan(i * window, window));
        return v;
    }

    /// <summary>dst = (float)src, two vectors of doubles narrowed into one of floats at a time (windows overlap 12×).</summary>
    static void Narrow(ReadOnlySpan<double> src, Span<float> dst)
    {
        int vw = Vector<double>.Count, k = 0;
        for (; k + 2 * vw <= src.Length; k += 2 * vw)
            Vector.Narrow(new Vector<double>(src[k..]), new Vector<double>(src[(k + vw)..])).CopyTo(dst[k..]);
        for (; k < src.Length; k++) dst[k] = (float)src[k];
    }
}
