using BioXBridge.Signals;

namespace BioXBridge.Data;

/// <summary>
/// SynWESAD size and mode. <paramref name="NegativeControl"/> moves the class out of everything the ECG can see (heart
/// rate, HRV, respiration, ECG morphology) and into PPG pulse shape only, so PPG→ECG transfer must stay at chance.
/// With <paramref name="ClassOnlyIn"/> = "ecg" it does the reverse for ECG→PPG: the physiological state is shared by all
/// classes and the pulse shape is a subject trait, while the class sets ECG morphology (T-wave height, QRS width), which
/// the PPG cannot see. Null or "ppg" is the first mode.
/// </summary>
public sealed record SynWesadConfig(int Subjects = 15, double MinutesPerClass = 4, int Seed = 0, bool NegativeControl = false, string? ClassOnlyIn = null);

/// <summary>
/// Synthetic paired chest-ECG (700 Hz) / wrist-BVP (64 Hz) sessions in WESAD's raw form. One latent physiological
/// state drives both modalities: a McSharry-style RR process (LF Gaussian peak at 0.1 Hz, HF peak at the respiration
/// rate) sets the beat times; each beat renders ECGSYN-like P-Q-R-S-T Gaussians and, a pulse-transit delay later, a
/// PPG pulse (systolic peak, dicrotic notch, diastolic peak). Class → heart-rate mean/variability, LF/HF, respiration.
/// Each subject has its own baselines, so subject-wise splits measure transfer to unseen people.
/// </summary>
public static class SynWesad
{
    /// <summary>Bump whenever the generator's output changes (per mode): cached pre-trained weights are keyed on it.</summary>
    public static int Version(bool negativeControl, string? classOnlyIn = null) => !negativeControl ? 1 : classOnlyIn == "ecg" ? 3 : 2;

    /// <summary>Heart-rate mean, RR standard deviation, LF/HF power ratio and breathing rate of one class.</summary>
    sealed record State(double HrBpm, double SdnnS, double LfHf, double RespHz);

    /// <summary>PPG pulse shape: diastolic/systolic peak ratio, dicrotic-notch depth, time-scale of the pulse.</summary>
    sealed record Pulse(double DiastolicRatio, double NotchDepth, double Width);

    /// <summary>ECG morphology of the ECG-only negative control: T-wave amplitude and QRS width as multiples of the subject's.</summary>
    sealed record Morph(double T, double Qrs);
    static readonly Morph Plain = new(1, 1);
    static readonly Morph[] ClassMorphs = [new(1.0, 1.0), new(0.35, 0.75), new(1.8, 1.35)];

    sealed record Segment(int Label, double Start, double Duration, State From, State To, Pulse PulseFrom, Pulse PulseTo,
                          Morph? MorphFrom = null, Morph? MorphTo = null);

    sealed record Subject(double HrOffset, double SdnnFactor, double RespOffset, double EcgAmp, double[] WaveAmp,
        double[] WaveWidth, double TAngle, double PpgAmp, double NoiseLevel, double PttS, Pulse PulseBias, double MainsAmp);

    // WESAD label − 1 → state. Gaps of 12–14 bpm against ~4.5 bpm of subject+segment spread make classes separable
    // from heart rate across subjects (mean-RR nearest-class-mean, leave-one-subject-out: 0.78–0.91 over seeds) without
    // being trivial; stress also lowers HRV, shifts LF/HF up and speeds breathing; amusement lies between.
    static readonly State[] ClassStates = [new(64, 0.050, 1.5, 0.24), new(90, 0.028, 4.0, 0.33), new(76, 0.042, 0.9, 0.28)];
    static readonly State Resting = ClassStates[0];

    // Negative control only: class-specific pulse shapes (stress: vasoconstricted, narrow, faint notch; amusement: broad,
    // strong reflected wave). In the normal mode pulse shape is a per-subject trait that carries no class.
    static readonly Pulse[] ClassPulses = [new(0.50, 0.12, 1.00), new(0.28, 0.04, 0.90), new(0.72, 0.22, 1.08)];

    // ECGSYN (McSharry et al. 2003) P, Q, R, S, T: angles (rad), relative amplitudes (R = 1), Gaussian widths (rad).
    // T stays below ~30 % of R (typical chest leads) so R-peak detectors with a threshold relative to R do not count T.
    static readonly double[] Theta = [-Math.PI / 3, -Math.PI / 12, 0, Math.PI / 12, Math.PI / 2];
    static readonly double[] Amp = [0.15, -0.12, 1.0, -0.25, 0.22];
    static readonly double[] Width = [0.25, 0.10, 0.10, 0.10, 0.40];

    const double TrackHz = 4;   // rate of the slowly varying physiological tracks

    public static IReadOnlyList<WesadSession> Generate(SynWesadConfig c)
    {
        if (c.Subjects < 1) throw new ArgumentException($"need at least one subject, not {c.Subjects}");
        if (!(c.MinutesPerClass >= 1))
            throw new ArgumentException($"MinutesPerClass must be at least 1 (a 60-s window must fit), not {c.MinutesPerClass}");
        var sessions = new WesadSession[c.Subjects];
        // Each subject draws from its own seeded generator, so the result does not depend on thread scheduling.
        Parallel.For(0, c.Subjects, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => sessions[i] = GenerateSubject(c, i));
        return sessions;
    }

    /// <summary>WESAD-style ids: S2..S11, then S13.. (S12 does not exist in WESAD).</summary>
    public static string SubjectId(int index) => $"S{(index < 10 ? index + 2 : index + 3)}";

    public static WesadSession GenerateSubject(SynWesadConfig c, int index)
    {
        if (c.ClassOnlyIn is not (null or "ppg" or "ecg"))
            throw new ArgumentException($"ClassOnlyIn: SynWESAD's negative control keeps the class in 'ppg' or 'ecg', not '{c.ClassOnlyIn}'");
        var rng = new Random(SubjectSeed(c.Seed, index));
        var subject = DrawSubject(rng, PulseCarriesClass(c));
        var segments = Timeline(rng, c, subject);
        int seconds = (int)Math.Round(segments[^1].Start + segments[^1].Duration);

        // Physiological tracks at 4 Hz: breathing phase, heart rate with a slow drift, LF and HF RR components.
        int nt = seconds * (int)TrackHz + 1;
        var lf = ColoredNoise(rng, nt, f => Gaussian(f, 0.1, 0.01));           // McSharry LF peak
        var hfJitter = ColoredNoise(rng, nt, f => Gaussian(f, 0, 0.02));       // slow amplitude wobble of the HF peak
        var drift = ColoredNoise(rng, nt, f => Gaussian(f, 0, 0.005));
        var wanderEcg = ColoredNoise(rng, nt, f => Gaussian(f, 0, 0.03));
        var wanderPpg = ColoredNoise(rng, nt, f => Gaussian(f, 0, 0.03));
        var phase = new double[nt]; var rr = new double[nt];
        for (int k = 0; k < nt; k++)
        {
            var (s, _) = At(segments, k / TrackHz);
            if (k > 0) phase[k] = phase[k - 1] + 2 * Math.PI * s.RespHz / TrackHz;
            double r = s.LfHf, hf = Math.Sqrt(2) * (1 + 0.25 * hfJitter[k]) * Math.Sin(phase[k]);
            rr[k] = 60 / (s.HrBpm + 1.5 * drift[k]) + s.SdnnS * (Math.Sqrt(r / (1 + r)) * lf[k] + Math.Sqrt(1 / (1 + r)) * hf);
        }

        // Beat times by integrating the RR track; one beat before t = 0 so the session starts mid-cycle.
        var beats = new List<double>();
        for (double t = -rng.NextDouble() * 0.8; t < seconds + 0.5;)
        {
            beats.Add(t);
            t += Math.Clamp(Interp(rr, Math.Max(t, 0) * TrackHz), 0.33, 1.6);
        }

        var ecg = RenderEcg(rng, subject, segments, beats, phase, wanderEcg, seconds);
        var bvp = RenderPpg(rng, subject, segments, beats, phase, wanderPpg, seconds);
        var label = new int[seconds * (int)WesadSession.LabelHz];
        foreach (var seg in segments)
        {
            int a = (int)Math.Round(seg.Start * WesadSession.LabelHz), b = (int)Math.Round((seg.Start + seg.Duration) * WesadSession.LabelHz);
            Array.Fill(label, seg.Label, a, Math.Min(b, label.Length) - a);
        }
        return new WesadSession(SubjectId(index), ecg, bvp, label);
    }

    static Subject DrawSubject(Random rng, bool negativeControl)
    {
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        var waveAmp = Amp.Select((a, i) => i == 2 ? a : a * (i == 4 ? U(0.7, 1.3) : U(0.6, 1.4))).ToArray();   // R stays the reference
        var waveWidth = Width.Select(w => w * U(0.85, 1.15)).ToArray();
        // Normal mode: the pulse shape is a subject trait. Negative control: a small subject offset on top of the class shape.
        var pulse = negativeControl
            ? new Pulse(0.08 * Normal(rng), 0.03 * Normal(rng), U(-0.05, 0.05))
            : new Pulse(U(0.3, 0.75), U(0.05, 0.2), U(0.9, 1.1));
        return new Subject(HrOffset: 3.5 * Normal(rng), SdnnFactor: U(0.75, 1.3), RespOffset: 0.02 * Normal(rng),
            EcgAmp: U(0.8, 1.6), WaveAmp: waveAmp, WaveWidth: waveWidth, TAngle: Theta[4] * U(0.9, 1.1),
            PpgAmp: U(20, 80), NoiseLevel: U(0.01, 0.05), PttS: U(0.18, 0.30), PulseBias: pulse, MainsAmp: U(0.005, 0.03));
    }

    static bool PulseCarriesClass(SynWesadConfig c) => c.NegativeControl && c.ClassOnlyIn != "ecg";
    static bool MorphologyCarriesClass(SynWesadConfig c) => c.NegativeControl && c.ClassOnlyIn == "ecg";

    /// <summary>Leading transient, then the three classes in a per-subject random order, each followed by 25–35 s of transient.</summary>
    static List<Segment> Timeline(Random rng, SynWesadConfig c, Subject subj)
    {
        int[] order = [1, 2, 3];
        for (int i = 2; i > 0; i--) { int j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        double classS = Math.Round(c.MinutesPerClass * 60);
        // Transients are whole multiples of 5 s so class segments sit on the 5-s window grid.
        double Transient() => 5 * rng.Next(5, 8);
        var segs = new List<Segment>();
        double t = 0;
        State prev = Personal(Resting, subj, rng, jitter: false);
        Pulse prevPulse = PulseFor(1, subj, rng, PulseCarriesClass(c));
        Morph prevMorph = Plain;
        // Negative control: one physiological state per subject, shared exactly by all its segments, so the ECG-visible
        // state carries no class — not even by chance association on a finite set: independent per-segment draws, or
        // even a ±2-bpm per-segment jitter, let a learner tie segment-level noise to labels (±0.15 of held-out accuracy
        // with 3 test subjects).
        int shared = c.NegativeControl ? rng.Next(3) : -1;
        var states = order.Select(label =>
        {
            var profile = ClassStates[c.NegativeControl ? shared : label - 1];
            return (label, state: Personal(profile, subj, rng, jitter: true), pulse: PulseFor(label, subj, rng, PulseCarriesClass(c)));
        }).ToList();
        if (c.NegativeControl) states = states.Select(s => s with { state = states[0].state }).ToList();
        foreach (var (label, state, pulse) in states)
        {
            double d = Transient();
            var morph = MorphologyCarriesClass(c) ? ClassMorphs[label - 1] : Plain;
            segs.Add(new Segment(0, t, d, prev, state, prevPulse, pulse, prevMorph, morph));
            t += d;
            segs.Add(new Segment(label, t, classS, state, state, pulse, pulse, morph, morph));
            t += classS;
            (prev, prevPulse, prevMorph) = (state, pulse, morph);
        }
        segs.Add(new Segment(0, t, Transient(), prev, prev, prevPulse, prevPulse, prevMorph, prevMorph));
        return segs;
    }

    static State Personal(State s, Subject subj, Random rng, bool jitter)
    {
        double j = jitter ? 1 : 0;
        return new State(s.HrBpm + subj.HrOffset + j * 2.0 * Normal(rng), s.SdnnS * subj.SdnnFactor * (1 + j * 0.1 * Normal(rng)),
            s.LfHf * Math.Exp(j * 0.2 * Normal(rng)), Math.Max(0.12, s.RespHz + subj.RespOffset + j * 0.015 * Normal(rng)));
    }

    static Pulse PulseFor(int label, Subject subj, Random rng, bool negativeControl)
    {
        var b = subj.PulseBias;
        var p = negativeControl
            ? new Pulse(ClassPulses[label - 1].DiastolicRatio + b.DiastolicRatio, ClassPulses[label - 1].NotchDepth + b.NotchDepth,
                ClassPulses[label - 1].Width + b.Width)
            : b;
        return new Pulse(Math.Max(0.05, p.DiastolicRatio + 0.03 * Normal(rng)), Math.Max(0, p.NotchDepth + 0.01 * Normal(rng)), p.Width);
    }

    /// <summary>State at time t: constant inside a class segment, a smooth blend across a transient.</summary>
    static (State, Pulse) At(List<Segment> segs, double t)
    {
        var s = segs.FindLast(x => x.Start <= t) ?? segs[0];
        double u = Math.Clamp((t - s.Start) / s.Duration, 0, 1);
        u = u * u * (3 - 2 * u);
        double L(double a, double b) => a + (b - a) * u;
        return (new State(L(s.From.HrBpm, s.To.HrBpm), L(s.From.SdnnS, s.To.SdnnS), L(s.From.LfHf, s.To.LfHf), L(s.From.RespHz, s.To.RespHz)),
            new Pulse(L(s.PulseFrom.DiastolicRatio, s.PulseTo.DiastolicRatio), L(s.PulseFrom.NotchDepth, s.PulseTo.NotchDepth),
                L(s.PulseFrom.Width, s.PulseTo.Width)));
    }

    /// <summary>ECG morphology at time t, blended across a transient like the state.</summary>
    static Morph MorphAt(List<Segment> segs, double t)
    {
        var s = segs.FindLast(x => x.Start <= t) ?? segs[0];
        var (a, b) = (s.MorphFrom ?? Plain, s.MorphTo ?? Plain);
        double u = Math.Clamp((t - s.Start) / s.Duration, 0, 1);
        u = u * u * (3 - 2 * u);
        return new Morph(a.T + (b.T - a.T) * u, a.Qrs + (b.Qrs - a.Qrs) * u);
    }

    static double[] RenderEcg(Random rng, Subject subj, List<Segment> segs, List<double> beats, double[] phase, double[] wander, int seconds)
    {
        const double fs = WesadSession.EcgHz;
        var x = new double[seconds * (int)fs];
        for (int k = 0; k < beats.Count; k++)
        {
            double rrK = k + 1 < beats.Count ? beats[k + 1] - beats[k] : beats[k] - beats[k - 1];
            // ECGSYN: widths scale with √(HR/60) and P/T angles with its square root, so QT shortens at high heart rate.
            double hrFact = Math.Sqrt(1 / rrK), hrFact2 = Math.Sqrt(hrFact);
            double resp = Math.Sin(Interp(phase, Math.Max(beats[k], 0) * TrackHz));
            double gain = subj.EcgAmp * (1 + 0.1 * resp) * (1 + 0.03 * Normal(rng));
            var morph = MorphAt(segs, Math.Max(beats[k], 0));
            for (int w = 0; w < 5; w++)
            {
                double angle = (w == 4 ? subj.TAngle : Theta[w]) * (w == 0 || w == 4 ? hrFact2 : w == 2 ? 1 : hrFact);
                double centre = beats[k] + angle * rrK / (2 * Math.PI);
                double sigma = subj.WaveWidth[w] * hrFact * rrK / (2 * Math.PI) * (w is >= 1 and <= 3 ? morph.Qrs : 1);
                AddGaussian(x, fs, centre, sigma, gain * subj.WaveAmp[w] * (w == 4 ? morph.T : 1));
            }
        }
        double mainsPhase = rng.NextDouble() * 2 * Math.PI;
        for (int i = 0; i < x.Length; i++)
        {
            double tk = i / fs * TrackHz;
            x[i] += subj.EcgAmp * (0.05 * Math.Sin(Interp(phase, tk)) + 0.05 * Interp(wander, tk) + subj.NoiseLevel * Normal(rng))
                    + subj.EcgAmp * subj.MainsAmp * Math.Sin(2 * Math.PI * 50 * i / fs + mainsPhase);
        }
        return x;
    }

    static double[] RenderPpg(Random rng, Subject subj, List<Segment> segs, List<double> beats, double[] phase, double[] wander, int seconds)
    {
        const double fs = WesadSession.BvpHz;
        var x = new double[seconds * (int)fs];
        for (int k = 0; k < beats.Count; k++)
        {
            double rrK = k + 1 < beats.Count ? beats[k + 1] - beats[k] : beats[k] - beats[k - 1];
            var (_, p) = At(segs, Math.Max(beats[k], 0));
            // Faster heart → shorter transit and a compressed pulse; the foot follows the R peak by the transit delay.
            double foot = beats[k] + subj.PttS * Math.Pow(rrK / 0.85, 0.25) + 0.004 * Normal(rng);
            double w = p.Width * Math.Clamp(Math.Pow(rrK / 0.85, 0.35), 0.75, 1.2);
            double resp = Math.Sin(Interp(phase, Math.Max(beats[k], 0) * TrackHz) + 0.7);
            double gain = subj.PpgAmp * (1 + 0.12 * resp) * (1 + 0.03 * Normal(rng));
            AddGaussian(x, fs, foot + 0.13 * w, 0.055 * w, gain);                          // systolic peak
            AddGaussian(x, fs, foot + 0.30 * w, 0.028 * w, -gain * p.NotchDepth);          // dicrotic notch
            AddGaussian(x, fs, foot + 0.37 * w, 0.085 * w, gain * p.DiastolicRatio);       // diastolic (reflected) peak
        }
        for (int i = 0; i < x.Length; i++)
        {
            double tk = i / fs * TrackHz;
            x[i] += subj.PpgAmp * (0.25 * Math.Sin(Interp(phase, tk)) + 0.3 * Interp(wander, tk) + subj.NoiseLevel * Normal(rng));
        }
        return x;
    }

    static void AddGaussian(double[] x, double fs, double centre, double sigma, double amp)
    {
        int lo = Math.Max(0, (int)Math.Floor((centre - 4 * sigma) * fs)), hi = Math.Min(x.Length - 1, (int)Math.Ceiling((centre + 4 * sigma) * fs));
        double inv = 1 / (2 * sigma * sigma);
        for (int i = lo; i <= hi; i++) { double d = i / fs - centre; x[i] += amp * Math.Exp(-d * d * inv); }
    }

    /// <summary>Unit-variance noise with the given amplitude spectrum (random phases, inverse real FFT).</summary>
    static double[] ColoredNoise(Random rng, int n, Func<double, double> amplitude)
    {
        int bins = n / 2 + 1;
        var re = new double[bins]; var im = new double[bins];
        for (int k = 1; k < bins; k++)
        {
            double a = amplitude(k * TrackHz / n);
            re[k] = a * Normal(rng); im[k] = a * Normal(rng);
        }
        var y = Fft.RealInverse(re, im, n);
        return Normalization.ZScore(y);
    }

    /// <summary>Amplitude spectrum whose power is a Gaussian peak of standard deviation sigma (McSharry's spectrum shape).</summary>
    static double Gaussian(double f, double mu, double sigma) => Math.Exp(-(f - mu) * (f - mu) / (4 * sigma * sigma));

    static double Interp(double[] track, double pos)
    {
        int i = Math.Clamp((int)pos, 0, track.Length - 2);
        double u = Math.Clamp(pos - i, 0, 1);
        return track[i] + (track[i + 1] - track[i]) * u;
    }

    static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>SplitMix64 of (seed, index): a stable per-subject seed (HashCode.Combine is randomised per process).</summary>
    static int SubjectSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}
