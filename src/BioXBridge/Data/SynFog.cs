using static BioXBridge.Data.SynIsruc;

namespace BioXBridge.Data;

/// <summary>
/// SynFOG size and mode. <paramref name="NegativeControl"/> keeps freezing in the EEG but renders walking-like EMG
/// throughout (one patient-level gait state), so EEG→EMG transfer must stay at chance. With
/// <paramref name="ClassOnlyIn"/> = "emg" it is the other way round for EMG→EEG: the EMG freezes, the EEG keeps its
/// walking theta throughout. Null or "eeg" is the first mode.
/// </summary>
public sealed record SynFogConfig(int Patients = 12, double MinutesPerTask = 3, int Seed = 0, bool NegativeControl = false, string? ClassOnlyIn = null);

/// <summary>
/// Synthetic FOG task recordings in the reader's in-memory form (<see cref="FogRecording"/>: six EEG and three EMG
/// channels at 500 Hz, a 0/1 label per sample). Patients "001"…; patient "008" has sessions "OFF_1" and "OFF_2" like the
/// real data, everyone else session "". Each recording alternates walking and freezing episodes (freezes of 2–15 s,
/// 25–35 % of the time). EMG: band-limited noise × gait-phase envelopes of two antagonist muscles alternating at the
/// stride frequency; a freeze breaks the alternation into in-phase trembling at 3–8 Hz with a low-frequency tremor
/// component; the third channel is a weaker mix. EEG: 1/f background, alpha, and a modest theta (4–8 Hz) rise while frozen.
/// </summary>
public static class SynFog
{
    /// <summary>Bump whenever the generator's output changes (per mode): cached pre-trained weights are keyed on it.</summary>
    /// <remarks>2: a stronger EEG freeze marker (background 8 instead of 12, theta ×2.5–3.0 instead of ×1.7–2.1), so that a
    /// small LaBraM learns it from a few hundred windows.</remarks>
    public static int Version(bool negativeControl, string? classOnlyIn = null) => 2;

    const double Fs = FogRecording.Hz;
    public const int TasksPerSession = 2;

    sealed record Patient(double StrideHz, double TremorHz, double EmgAmp, double[] MuscleGain, double DutyPhase, double EegGain,
        double[] ChannelGain, double AlphaHz, double ThetaHz, double ThetaWalk, double ThetaFreeze, double NoiseUv, double EmgNoise);

    public static IReadOnlyList<FogRecording> Generate(SynFogConfig c)
    {
        if (c.Patients < 1) throw new ArgumentException($"need at least one patient, not {c.Patients}");
        if (!(c.MinutesPerTask >= 0.25)) throw new ArgumentException($"MinutesPerTask must be at least 0.25, not {c.MinutesPerTask}");
        var perPatient = new IReadOnlyList<FogRecording>[c.Patients];
        // Each patient draws from its own seeded generator, so the result does not depend on thread scheduling.
        Parallel.For(0, c.Patients, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => perPatient[i] = GeneratePatient(c, i));
        return perPatient.SelectMany(r => r).ToList();
    }

    /// <summary>FOG numbering: patient index 0 is "001".</summary>
    public static string PatientId(int index) => (index + 1).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sessions of a patient as in the real release: "OFF_1" and "OFF_2" for 008, one unnamed session otherwise.</summary>
    public static IReadOnlyList<string> Sessions(string patient) => patient == "008" ? ["OFF_1", "OFF_2"] : [""];

    /// <summary>All task recordings of one patient (sessions, then tasks "task_1", "task_2", …).</summary>
    public static IReadOnlyList<FogRecording> GeneratePatient(SynFogConfig c, int index)
    {
        var rng = new Rng(SubjectSeed(c.Seed ^ 0x5F0F, index));
        var p = DrawPatient(rng);
        string id = PatientId(index);
        var list = new List<FogRecording>();
        foreach (var session in Sessions(id))
            for (int t = 1; t <= TasksPerSession; t++)
                list.Add(Render(rng, p, c, id, session, $"task_{t}"));
        return list;
    }

    static Patient DrawPatient(Rng rng)
    {
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        double thetaWalk = U(5, 8);
        return new Patient(StrideHz: U(0.85, 1.15), TremorHz: U(4, 7), EmgAmp: U(30, 120), MuscleGain: [U(0.7, 1.3), U(0.7, 1.3)],
            DutyPhase: U(0.8, 1.2) * Math.PI, EegGain: U(0.7, 1.4), ChannelGain: Enumerable.Range(0, 6).Select(_ => U(0.85, 1.15)).ToArray(),
            AlphaHz: U(8.8, 11.2), ThetaHz: U(5, 7), ThetaWalk: thetaWalk, ThetaFreeze: thetaWalk * U(2.5, 3.0), NoiseUv: U(1, 3),
            EmgNoise: U(0.03, 0.08));
    }

    /// <summary>
    /// Walk/freeze episodes: walking 8–32 s, freezing 2–15 s, starting and ending with walking. Timelines are redrawn (up to
    /// 100 times, deterministically) until 25–35 % of the recording is frozen, so a patient-level feature that carries no
    /// freeze (the negative control's EMG) cannot correlate with the label through patients who happen to freeze more.
    /// </summary>
    static int[] Timeline(Rng rng, int n)
    {
        int[] best = [];
        double bestMiss = double.MaxValue;
        for (int attempt = 0; attempt < 100 && bestMiss > 0; attempt++)
        {
            var label = new int[n];
            int i = (int)((3 + 5 * rng.NextDouble()) * Fs);
            while (i < n)
            {
                int f = (int)((2 + 13 * rng.NextDouble()) * Fs);
                if (i + f > n - 2 * Fs) break;
                Array.Fill(label, 1, i, f);
                i += f + (int)((8 + 24 * rng.NextDouble()) * Fs);
            }
            double frozen = label.Sum() / (double)n;
            double miss = Math.Max(0, Math.Max(0.25 - frozen, frozen - 0.35));
            if (miss < bestMiss) (best, bestMiss) = (label, miss);
        }
        return best;
    }

    static FogRecording Render(Rng rng, Patient p, SynFogConfig c, string patient, string session, string task)
    {
        int n = (int)Math.Round(c.MinutesPerTask * 60 * Fs);
        var label = Timeline(rng, n);
        // Freeze weight per sample, ramped over 0.4 s so the gait fades into trembling rather than switching.
        var fz = new double[n];
        int ramp = (int)(0.4 * Fs);
        double cur = 0;
        for (int i = 0; i < n; i++) { cur += (label[i] - cur) / ramp * 2.5; fz[i] = Math.Clamp(cur, 0, 1); }
        if (c.ClassOnlyIn is not (null or "eeg" or "emg"))
            throw new ArgumentException($"ClassOnlyIn: SynFOG's negative control keeps freezing in 'eeg' or 'emg', not '{c.ClassOnlyIn}'");
        bool emgOnly = c.NegativeControl && c.ClassOnlyIn == "emg";
        var emgFreeze = c.NegativeControl && !emgOnly ? new double[n] : fz;
        var eegFreeze = emgOnly ? new double[n] : fz;
        // Each freeze trembles with its own strength, so the EMG marker is strong but not perfect.
        var strength = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j < n && label[j] == label[i]) j++;
            if (label[i] == 1) Array.Fill(strength, 0.3 + 0.9 * rng.NextDouble(), i, j - i);
            i = j;
        }
        for (int i = 1; i < n; i++) if (label[i] == 0) strength[i] = strength[i - 1];   // hold while fading out

        // EMG: carriers are band-limited noise (≈ 30–120 Hz) for each muscle and for the mixed third channel.
        var carrier = Enumerable.Range(0, 3).Select(_ => new Resonator(70, 70, Fs)).ToArray();
        var tremorLf = new Resonator(p.TremorHz, 1.5, Fs);
        var motion = new Resonator(p.StrideHz, 0.3, Fs);
        var emg = Enumerable.Range(0, 3).Select(_ => new double[n]).ToArray();
        double phase = 2 * Math.PI * rng.NextDouble(), tremPhase = 0;
        for (int i = 0; i < n; i++)
        {
            double f = emgFreeze[i], w = 1 - f;
            phase += 2 * Math.PI * p.StrideHz * (1 + 0.03 * Math.Sin(2 * Math.PI * 0.05 * i / Fs)) / Fs;
            tremPhase += 2 * Math.PI * p.TremorHz / Fs;
            // Walking: antagonists alternate over the gait cycle; freezing: both co-contract, modulated at the tremor rate.
            double e1 = 0.15 + Math.Pow(Math.Max(0, Math.Cos(phase)), 2);
            double e2 = 0.15 + Math.Pow(Math.Max(0, Math.Cos(phase + p.DutyPhase)), 2);
            double tr = 0.35 + 0.45 * strength[i] * (0.5 + 0.5 * Math.Sin(tremPhase));
            double env1 = w * e1 + f * tr, env2 = w * e2 + f * tr;
            double c1 = carrier[0].Next(rng), c2 = carrier[1].Next(rng), c3 = carrier[2].Next(rng);
            double lf = tremorLf.Next(rng), mv = motion.Next(rng);
            double m1 = p.MuscleGain[0] * env1 * c1 + 0.4 * strength[i] * f * lf + 0.25 * w * mv;
            double m2 = p.MuscleGain[1] * env2 * c2 + 0.35 * strength[i] * f * lf + 0.25 * w * mv;
            emg[0][i] = p.EmgAmp * (m1 + p.EmgNoise * rng.Uniform());
            emg[1][i] = p.EmgAmp * (m2 + p.EmgNoise * rng.Uniform());
            emg[2][i] = p.EmgAmp * (0.25 * m1 + 0.25 * m2 + 0.2 * (w * 0.5 + f * tr) * c3 + p.EmgNoise * rng.Uniform());
        }

        // EEG: common + own 1/f background, alpha, and a theta source whose amplitude rises while frozen.
        var alpha = new Resonator(p.AlphaHz, 1.0, Fs); var theta = new Resonator(p.ThetaHz, 2.5, Fs);
        var common = new Pink(); var own = Enumerable.Range(0, 6).Select(_ => new Pink()).ToArray();
        var eeg = Enumerable.Range(0, 6).Select(_ => new double[n]).ToArray();
        for (int i = 0; i < n; i++)
        {
            double a = 6 * alpha.Next(rng), t = (p.ThetaWalk + (p.ThetaFreeze - p.ThetaWalk) * eegFreeze[i]) * theta.Next(rng), cm = 0.6 * common.Next(rng);
            for (int ch = 0; ch < 6; ch++)
                eeg[ch][i] = p.EegGain * p.ChannelGain[ch] * (8 * (cm + 0.8 * own[ch].Next(rng)) + a + t) + p.NoiseUv * rng.Uniform();
        }
        return new FogRecording(patient, session, task, eeg, emg, label);
    }
}
