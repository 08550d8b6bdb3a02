namespace BioXBridge.Data;

/// <summary>
/// SynISRUC size and mode. <paramref name="NegativeControl"/> keeps the sleep stages in the EEG but gives the ECG one
/// subject-level state (heart rate, variability, breathing) for every epoch, so EEG→ECG transfer must stay at chance.
/// With <paramref name="ClassOnlyIn"/> = "ecg" it is the other way round for ECG→EEG: the ECG follows the stages and
/// the EEG shows one subject-level stage all night. Null or "eeg" is the first mode.
/// </summary>
public sealed record SynIsrucConfig(int Subjects = 12, int Epochs = 120, int Seed = 0, bool NegativeControl = false, string? ClassOnlyIn = null);

/// <summary>
/// Synthetic ISRUC-Sleep subgroup-I subjects in the readers' in-memory form (<see cref="IsrucSession"/>: six EEG
/// derivations and ECG <c>X2</c> as 30-s epochs × 6000 samples at 200 Hz, scorer-1 stage per epoch). A hypnogram from a
/// Markov chain over W/N1/N2/N3/REM (starting awake, ≈ 20–30 % wake) drives both modalities: the EEG is a 1/f background
/// plus stage events (occipital alpha in W, theta in N1, spindles and K-complexes in N2, 0.5–2 Hz slow waves in N3,
/// saw-tooth bursts and theta in REM) in µV; the ECG is a continuous P-Q-R-S-T train whose heart rate is lower and
/// steadier in sleep. Each subject has its own amplitudes, alpha frequency, noise and heart-rate baseline.
/// </summary>
public static class SynIsruc
{
    /// <summary>Bump whenever the generator's output changes (per mode): cached pre-trained weights are keyed on it.</summary>
    public static int Version(bool negativeControl, string? classOnlyIn = null) => 1;   // every mode at its first version

    static readonly SleepStage[] Stages = [SleepStage.W, SleepStage.N1, SleepStage.N2, SleepStage.N3, SleepStage.REM];

    // Per-epoch transition probabilities (rows W, N1, N2, N3, REM). From an awake start, 120 epochs give ≈ 25 % wake on average;
    // see Hypnogram for how each subject is held to 20–30 %.
    static readonly double[][] Transitions =
    [
        [0.86, 0.11, 0.03, 0.00, 0.00],
        [0.10, 0.50, 0.35, 0.00, 0.05],
        [0.03, 0.04, 0.84, 0.05, 0.04],
        [0.02, 0.01, 0.10, 0.87, 0.00],
        [0.06, 0.04, 0.05, 0.00, 0.85],
    ];

    /// <summary>EEG source amplitudes (µV, before the subject's gain) per stage index.</summary>
    sealed record EegStage(double Background, double Alpha, double Theta, double Delta, double SpindlesPerEpoch,
        double KComplexesPerEpoch, double SawToothPerEpoch);

    static readonly EegStage[] EegStages =
    [
        new(12, 16, 3, 2, 0, 0, 0),            // W: eyes-closed occipital alpha
        new(13, 3, 12, 5, 0, 0.1, 0),          // N1: alpha drops out, theta
        new(15, 1.5, 6, 14, 2.2, 1.0, 0),      // N2: spindles, K-complexes
        new(17, 1, 5, 48, 0.4, 0.2, 0),        // N3: high-amplitude slow waves
        new(11, 4, 9, 5, 0, 0, 1.5),           // REM: saw-tooth bursts, theta
    ];

    /// <summary>ECG state per stage: heart-rate offset from the subject baseline (bpm) and non-respiratory RR SD (s).</summary>
    sealed record Heart(double HrOffset, double RrSd, double RsaS);

    static readonly Heart[] HeartStages = [new(12, 0.060, 0.035), new(4, 0.035, 0.030), new(0, 0.025, 0.025), new(-3, 0.018, 0.022), new(4, 0.045, 0.030)];

    // Channel weights (F3, C3, O1, F4, C4, O2) of each source: alpha occipital, spindles central, slow waves and K-complexes frontal.
    static readonly double[] AlphaW = [0.30, 0.45, 1.0, 0.30, 0.45, 1.0];
    static readonly double[] ThetaW = [0.9, 1.0, 0.7, 0.9, 1.0, 0.7];
    static readonly double[] DeltaW = [1.2, 1.0, 0.8, 1.2, 1.0, 0.8];
    static readonly double[] SpindleW = [0.8, 1.0, 0.5, 0.8, 1.0, 0.5];
    static readonly double[] KcW = [1.0, 0.85, 0.55, 1.0, 0.85, 0.55];
    static readonly double[] SawW = [0.8, 1.0, 0.5, 0.8, 1.0, 0.5];

    // ECGSYN P, Q, R, S, T (as SynWesad): angles (rad), relative amplitudes, Gaussian widths (rad).
    static readonly double[] Theta = [-Math.PI / 3, -Math.PI / 12, 0, Math.PI / 12, Math.PI / 2];
    static readonly double[] Amp = [0.15, -0.12, 1.0, -0.25, 0.22];
    static readonly double[] Width = [0.25, 0.10, 0.10, 0.10, 0.40];

    const double Fs = IsrucSession.Hz;
    const int N = IsrucSession.EpochSamples;

    sealed record Subject(double EegGain, double[] ChannelGain, double AlphaHz, double AlphaStrength, double SpindleHz,
        double NoiseUv, double HrBase, double HrvFactor, double RespHz, double EcgAmp, double[] WaveAmp, double EcgNoise);

    public static IReadOnlyList<IsrucSession> Generate(SynIsrucConfig c)
    {
        if (c.Subjects < 1) throw new ArgumentException($"need at least one subject, not {c.Subjects}");
        if (c.Epochs < 1) throw new ArgumentException($"need at least one epoch, not {c.Epochs}");
        var sessions = new IsrucSession[c.Subjects];
        // Each subject draws from its own seeded generator, so the result does not depend on thread scheduling.
        Parallel.For(0, c.Subjects, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => sessions[i] = GenerateSubject(c, i));
        return sessions;
    }

    /// <summary>ISRUC numbering: subject index 0 is "1".</summary>
    public static string SubjectId(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static IsrucSession GenerateSubject(SynIsrucConfig c, int index)
    {
        if (c.ClassOnlyIn is not (null or "eeg" or "ecg"))
            throw new ArgumentException($"ClassOnlyIn: SynISRUC's negative control keeps the stages in 'eeg' or 'ecg', not '{c.ClassOnlyIn}'");
        bool ecgOnly = c.NegativeControl && c.ClassOnlyIn == "ecg";
        var rng = new Rng(SubjectSeed(c.Seed, index));
        var subj = DrawSubject(rng);
        var hyp = Hypnogram(rng, c.Epochs);
        var stageIdx = hyp.Select(s => Array.IndexOf(Stages, s)).ToArray();
        // ECG-only control: one EEG stage for the whole night, drawn before the EEG so the other modes keep their draws
        int sharedEeg = ecgOnly ? rng.Next(Stages.Length) : -1;
        var eeg = RenderEeg(rng, subj, ecgOnly ? stageIdx.Select(_ => sharedEeg).ToArray() : stageIdx);
        // Negative control: one ECG state for the whole night (a randomly chosen stage's state, never per epoch).
        int shared = rng.Next(Stages.Length);
        var heartIdx = c.NegativeControl && !ecgOnly ? stageIdx.Select(_ => shared).ToArray() : stageIdx;
        var ecg = RenderEcg(rng, subj, heartIdx);

        var channels = new Dictionary<string, double[][]>();
        for (int ch = 0; ch < 6; ch++) channels[IsrucSession.EegChannels[ch]] = Epochs(eeg[ch], c.Epochs);
        channels[IsrucSession.EcgChannel] = Epochs(ecg, c.Epochs);
        return new IsrucSession(SubjectId(index), channels, hyp);
    }

    static double[][] Epochs(double[] x, int epochs) => Enumerable.Range(0, epochs).Select(e => x[(e * N)..((e + 1) * N)]).ToArray();

    static Subject DrawSubject(Rng rng)
    {
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        return new Subject(EegGain: U(0.7, 1.4), ChannelGain: Enumerable.Range(0, 6).Select(_ => U(0.85, 1.15)).ToArray(),
            AlphaHz: U(8.8, 11.2), AlphaStrength: U(0.4, 1.4), SpindleHz: U(12, 14.5), NoiseUv: U(1, 4),
            HrBase: 60 + 4 * rng.Normal(), HrvFactor: U(0.75, 1.3), RespHz: U(0.2, 0.3), EcgAmp: U(400, 1200),
            WaveAmp: Amp.Select((a, i) => i == 2 ? a : a * U(0.7, 1.3)).ToArray(), EcgNoise: U(0.01, 0.04));
    }

    /// <summary>
    /// A Markov-chain night starting awake. Chains are redrawn (up to 100 times, deterministically) until the wake share
    /// lies in 20–30 %: every subject then has the paper's imbalance, and a subject-level feature that carries no stage
    /// (the negative control's ECG) cannot correlate with the label through subjects that happen to be mostly awake.
    /// </summary>
    static SleepStage[] Hypnogram(Rng rng, int epochs)
    {
        SleepStage[] best = [];
        double bestMiss = double.MaxValue;
        for (int attempt = 0; attempt < 100 && bestMiss > 0; attempt++)
        {
            var h = new SleepStage[epochs];
            int s = 0;
            for (int e = 0; e < epochs; e++)
            {
                h[e] = Stages[s];
                double u = rng.NextDouble(), acc = 0;
                int next = Stages.Length - 1;
                for (int k = 0; k < Stages.Length; k++) { acc += Transitions[s][k]; if (u < acc) { next = k; break; } }
                s = next;
            }
            double wake = h.Count(x => x == SleepStage.W) / (double)epochs;
            double miss = Math.Max(0, Math.Max(MinWake - wake, wake - MaxWake));
            if (miss < bestMiss) (best, bestMiss) = (h, miss);
        }
        return best;
    }

    const double MinWake = 0.2, MaxWake = 0.3;

    static double[][] RenderEeg(Rng rng, Subject subj, int[] stage)
    {
        int epochs = stage.Length, n = epochs * N;
        // Per-sample stage gains, cross-faded over 1 s at epoch boundaries so sources switch on and off smoothly.
        // Alpha also varies epoch to epoch (eyes open or closed, drowsiness), so it is a strong but imperfect wake marker.
        var alphaEpoch = Enumerable.Range(0, epochs).Select(_ => Math.Exp(0.5 * rng.Normal())).ToArray();
        double[] Gain(Func<EegStage, double> f, double[]? perEpoch = null)
        {
            var g = new double[n];
            const int fade = (int)Fs;
            for (int e = 0; e < epochs; e++)
            {
                int prev = Math.Max(e - 1, 0);
                double a = f(EegStages[stage[prev]]) * (perEpoch?[prev] ?? 1), b = f(EegStages[stage[e]]) * (perEpoch?[e] ?? 1);
                for (int i = 0; i < N; i++) g[e * N + i] = i < fade ? a + (b - a) * i / fade : b;
            }
            return g;
        }
        var gBg = Gain(s => s.Background); var gAlpha = Gain(s => s.Alpha, alphaEpoch); var gTheta = Gain(s => s.Theta); var gDelta = Gain(s => s.Delta);

        var alpha = new Resonator(subj.AlphaHz, 1.0); var theta = new Resonator(6, 2.5); var delta = new Resonator(1.1, 1.2);
        var common = new Pink(); var own = Enumerable.Range(0, 6).Select(_ => new Pink()).ToArray();
        var x = Enumerable.Range(0, 6).Select(_ => new double[n]).ToArray();
        for (int i = 0; i < n; i++)
        {
            double a = gAlpha[i] * subj.AlphaStrength * alpha.Next(rng), t = gTheta[i] * theta.Next(rng), d = gDelta[i] * delta.Next(rng);
            double cm = 0.6 * common.Next(rng);
            for (int ch = 0; ch < 6; ch++)
                x[ch][i] = gBg[i] * (cm + 0.8 * own[ch].Next(rng)) + AlphaW[ch] * a + ThetaW[ch] * t + DeltaW[ch] * d;
        }

        // Transient events, placed by stage: spindles, K-complexes, saw-tooth bursts.
        for (int e = 0; e < epochs; e++)
        {
            var st = EegStages[stage[e]];
            for (int k = Poisson(rng, st.SpindlesPerEpoch); k > 0; k--)
            {
                double dur = 0.5 + rng.NextDouble(), f = subj.SpindleHz + 0.4 * rng.Normal(), amp = 22 + 6 * rng.Normal(), ph = 2 * Math.PI * rng.NextDouble();
                int start = e * N + rng.Next(N), len = (int)(dur * Fs);
                for (int j = 0; j < len && start + j < n; j++)
                {
                    double v = amp * 0.5 * (1 - Math.Cos(2 * Math.PI * j / len)) * Math.Sin(2 * Math.PI * f * j / Fs + ph);
                    for (int ch = 0; ch < 6; ch++) x[ch][start + j] += SpindleW[ch] * v;
                }
            }
            for (int k = Poisson(rng, st.KComplexesPerEpoch); k > 0; k--)
            {
                double amp = 70 + 15 * rng.Normal();
                int start = e * N + rng.Next(N);
                for (int j = 0; j < (int)(1.2 * Fs) && start + j < n; j++)
                {
                    double tt = j / Fs;
                    double v = amp * (-Math.Exp(-Sq((tt - 0.25) / 0.08)) + 0.6 * Math.Exp(-Sq((tt - 0.65) / 0.16)));
                    for (int ch = 0; ch < 6; ch++) x[ch][start + j] += KcW[ch] * v;
                }
            }
            for (int k = Poisson(rng, st.SawToothPerEpoch); k > 0; k--)
            {
                double dur = 1 + 2 * rng.NextDouble(), f = 2 + 1.5 * rng.NextDouble(), amp = 18 + 4 * rng.Normal();
                int start = e * N + rng.Next(N), len = (int)(dur * Fs);
                for (int j = 0; j < len && start + j < n; j++)
                {
                    double p = f * j / Fs; p -= Math.Floor(p);
                    double saw = p < 0.8 ? p / 0.8 : (1 - p) / 0.2;   // slow rise, sharp fall
                    double v = amp * (2 * saw - 1) * Math.Sin(Math.PI * j / len);
                    for (int ch = 0; ch < 6; ch++) x[ch][start + j] += SawW[ch] * v;
                }
            }
        }
        for (int ch = 0; ch < 6; ch++)
        {
            double g = subj.EegGain * subj.ChannelGain[ch];
            var xc = x[ch];
            for (int i = 0; i < n; i++) xc[i] = g * xc[i] + subj.NoiseUv * rng.Uniform();
        }
        return x;
    }

    static double[] RenderEcg(Rng rng, Subject subj, int[] heartIdx)
    {
        int epochs = heartIdx.Length, n = epochs * N;
        double seconds = n / Fs;
        // Heart rate follows each epoch's target with a 15-s time constant, so the train is continuous across epochs.
        const double trackHz = 4;
        int nt = (int)(seconds * trackHz) + 2;
        var hr = new double[nt]; var sd = new double[nt]; var rsa = new double[nt];
        double alpha = 1 - Math.Exp(-1 / (15 * trackHz));
        var h0 = HeartStages[heartIdx[0]];
        double hrNow = subj.HrBase + h0.HrOffset, sdNow = h0.RrSd, rsaNow = h0.RsaS;
        for (int k = 0; k < nt; k++)
        {
            var hs = HeartStages[heartIdx[Math.Min((int)(k / trackHz * Fs) / N, epochs - 1)]];
            hrNow += alpha * (subj.HrBase + hs.HrOffset - hrNow);
            sdNow += alpha * (hs.RrSd - sdNow);
            rsaNow += alpha * (hs.RsaS - rsaNow);
            hr[k] = hrNow; sd[k] = sdNow; rsa[k] = rsaNow;
        }
        var beats = new List<double>();
        double ar = 0;
        for (double t = -rng.NextDouble() * 0.8; t < seconds + 0.5;)
        {
            beats.Add(t);
            double pos = Math.Max(t, 0) * trackHz;
            ar = 0.8 * ar + 0.6 * rng.Normal();   // unit-variance AR(1) beat-to-beat variability
            double rr = 60 / Interp(hr, pos) + subj.HrvFactor * (Interp(sd, pos) * ar + Interp(rsa, pos) * Math.Sin(2 * Math.PI * subj.RespHz * t));
            t += Math.Clamp(rr, 0.4, 1.6);
        }
        var x = new double[n];
        for (int k = 0; k < beats.Count; k++)
        {
            double rrK = k + 1 < beats.Count ? beats[k + 1] - beats[k] : beats[k] - beats[k - 1];
            double hrFact = Math.Sqrt(1 / rrK), hrFact2 = Math.Sqrt(hrFact);
            double gain = subj.EcgAmp * (1 + 0.08 * Math.Sin(2 * Math.PI * subj.RespHz * beats[k])) * (1 + 0.03 * rng.Normal());
            for (int w = 0; w < 5; w++)
            {
                double angle = Theta[w] * (w == 0 || w == 4 ? hrFact2 : w == 2 ? 1 : hrFact);
                double centre = beats[k] + angle * rrK / (2 * Math.PI), sigma = Width[w] * hrFact * rrK / (2 * Math.PI);
                AddGaussian(x, centre, sigma, gain * subj.WaveAmp[w]);
            }
        }
        var wander = new Resonator(0.15, 0.2);
        double respPhase = 2 * Math.PI * rng.NextDouble();
        for (int i = 0; i < n; i++)
            x[i] += subj.EcgAmp * (0.05 * Math.Sin(2 * Math.PI * subj.RespHz * i / Fs + respPhase) + 0.04 * wander.Next(rng) + subj.EcgNoise * rng.Uniform());
        return x;
    }

    static void AddGaussian(double[] x, double centre, double sigma, double amp)
    {
        int lo = Math.Max(0, (int)Math.Floor((centre - 4 * sigma) * Fs)), hi = Math.Min(x.Length - 1, (int)Math.Ceiling((centre + 4 * sigma) * Fs));
        double inv = 1 / (2 * sigma * sigma);
        for (int i = lo; i <= hi; i++) { double d = i / Fs - centre; x[i] += amp * Math.Exp(-d * d * inv); }
    }

    static double Sq(double v) => v * v;

    static int Poisson(Rng rng, double mean)
    {
        if (mean <= 0) return 0;
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    static double Interp(double[] track, double pos)
    {
        int i = Math.Clamp((int)pos, 0, track.Length - 2);
        double u = Math.Clamp(pos - i, 0, 1);
        return track[i] + (track[i + 1] - track[i]) * u;
    }

    /// <summary>SplitMix64 of (seed, index): a stable per-subject seed (HashCode.Combine is randomised per process).</summary>
    internal static int SubjectSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>
    /// Narrow-band noise of unit variance around <c>hz</c> with roughly <c>bandwidthHz</c> of bandwidth: white noise through a
    /// two-pole resonator (an AR(2) process), scaled by its stationary standard deviation.
    /// </summary>
    internal sealed class Resonator
    {
        readonly double a1, a2, g;
        double y1, y2;
        public Resonator(double hz, double bandwidthHz, double fs = Fs)
        {
            double r = Math.Exp(-Math.PI * bandwidthHz / fs), w = 2 * Math.PI * hz / fs;
            a1 = 2 * r * Math.Cos(w); a2 = -r * r;
            double var = (1 + r * r) / ((1 - r * r) * (Sq(1 + r * r) - 4 * r * r * Math.Cos(w) * Math.Cos(w)));
            g = 1 / Math.Sqrt(var);
        }
        public double Next(Rng rng)
        {
            double y = a1 * y1 + a2 * y2 + rng.Normal();
            y2 = y1; y1 = y;
            return g * y;
        }
    }

    /// <summary>Approximately 1/f (pink) noise of about unit variance: Kellet's three-pole economy filter on white noise.</summary>
    internal sealed class Pink
    {
        double b0, b1, b2;
        public double Next(Rng rng)
        {
            double w = rng.Normal();
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            return (b0 + b1 + b2 + w * 0.1848) / 3.0;
        }
    }

    /// <summary>
    /// A seeded <see cref="Random"/> with Gaussian draws: Box–Muller yields two independent normals per pair of uniforms,
    /// and the second is kept for the next call (half the logarithms and square roots of drawing them one at a time).
    /// </summary>
    internal sealed class Rng(int seed)
    {
        readonly Random r = new(seed);
        double spare;
        bool hasSpare;
        public double NextDouble() => r.NextDouble();
        public int Next(int maxExclusive) => r.Next(maxExclusive);
        /// <summary>Uniform noise of unit variance (cheap measurement noise).</summary>
        public double Uniform() => 3.4641016151377544 * (r.NextDouble() - 0.5);
        public double Normal()
        {
            if (hasSpare) { hasSpare = false; return spare; }
            double m = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble()));
            var (s, c) = Math.SinCos(2 * Math.PI * r.NextDouble());
            spare = m * s; hasSpare = true;
            return m * c;
        }
    }
}
