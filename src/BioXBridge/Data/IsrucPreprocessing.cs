using BioXBridge.Signals;

namespace BioXBridge.Data;

/// <summary>ISRUC options: the paper's binary wake/sleep task by default, or the five stages W/N1/N2/N3/REM.</summary>
public sealed record IsrucOptions(bool FiveClass = false);

/// <summary>
/// The paper's ISRUC-Sleep pipeline (the release's <c>make_ISRUC.py</c>), one 30-s epoch = one paired window:
/// <list type="bullet">
/// <item>EEG: the six derivations <see cref="IsrucSession.EegChannels"/> raw at 200 Hz → (6, 6000) per epoch, no
/// normalisation (LaBraM divides by 100 itself);</item>
/// <item>ECG: <c>X2</c> per epoch: 200 → 500 Hz linear (release convention, <see cref="Resampling.Linear"/>), FIR
/// band-pass 0.05–47 Hz order 150 (151 taps) filtfilt, 500 → 100 Hz linear, z-score over the epoch → (1, 3000).
/// At 500 Hz an epoch holds 15 000 samples, far above filtfilt's padlen 3·151 = 453, so the per-epoch filtering is
/// well defined (each epoch's edges get scipy's odd extension, as in the release);</item>
/// <item>labels: W → 0, N1/N2/N3/REM → 1 (<see cref="IsrucLabels.Binary"/>) or five classes
/// (<see cref="IsrucLabels.FiveClass"/>); every window carries the session's subject.</item>
/// </list>
/// <see cref="PairedWindows.First"/> is EEG, <see cref="PairedWindows.Second"/> is ECG.
/// </summary>
public static class IsrucPreprocessing
{
    public const double EegHz = IsrucSession.Hz, EcgHz = 100;
    public const int EegSamples = IsrucSession.EpochSamples, EcgSamples = 3000;
    public static IReadOnlyList<string> BinaryClassNames { get; } = ["wake", "sleep"];
    public static IReadOnlyList<string> FiveClassNames { get; } = ["W", "N1", "N2", "N3", "REM"];

    public static IReadOnlyList<string> ClassNames(IsrucOptions? o = null) => (o ?? new()).FiveClass ? FiveClassNames : BinaryClassNames;

    /// <summary>One 200-Hz ECG epoch → 500 Hz → FIR 0.05–47 Hz filtfilt → 100 Hz → z-score (a constant epoch gives zeros).</summary>
    public static double[] PrepareEcgEpoch(ReadOnlySpan<double> epoch) =>
        Normalization.ZScore(WesadPreprocessing.FilterEcg(epoch, IsrucSession.Hz));

    /// <summary>All epochs of one subject, paired EEG (6, 6000) and ECG (1, 3000), in epoch order.</summary>
    public static PairedWindows Prepare(IsrucSession s, string dataset, bool synthetic, IsrucOptions? o = null)
    {
        o ??= new IsrucOptions();
        s.Validate($"ISRUC subject {s.Subject}");
        int n = s.Epochs, ch = IsrucSession.EegChannels.Length;
        var eeg = new float[n * ch * EegSamples];
        var ecg = new float[n * EcgSamples];
        var eegRows = IsrucSession.EegChannels.Select(c => s.Channels[c]).ToArray();
        var ecgRows = s.Channels[IsrucSession.EcgChannel];
        Parallel.For(0, n, e =>
        {
            for (int c = 0; c < ch; c++)
            {
                var src = eegRows[c][e];
                int off = (e * ch + c) * EegSamples;
                for (int k = 0; k < EegSamples; k++) eeg[off + k] = (float)src[k];
            }
            var y = PrepareEcgEpoch(ecgRows[e]);
            if (y.Length != EcgSamples)
                throw new InvalidDataException($"ISRUC subject {s.Subject}: epoch {e} gave {y.Length} ECG samples, expected {EcgSamples}");
            for (int k = 0; k < EcgSamples; k++) ecg[e * EcgSamples + k] = (float)y[k];
        });
        var labels = o.FiveClass ? IsrucLabels.FiveClass(s.Stages) : IsrucLabels.Binary(s.Stages);
        return new PairedWindows(dataset, synthetic, ClassNames(o),
            new SignalWindows("eeg", EegHz, ch, EegSamples, eeg),
            new SignalWindows("ecg", EcgHz, 1, EcgSamples, ecg),
            labels, Enumerable.Repeat(s.Subject, n).ToArray());
    }

    /// <summary>All subjects (two at a time), concatenated in the given order, so the result is deterministic.</summary>
    public static PairedWindows PrepareAll(IReadOnlyList<IsrucSession> sessions, string dataset, bool synthetic, IsrucOptions? o = null)
        => PairedWindows.PrepareEach(sessions, r => Prepare(r, dataset, synthetic, o));
}
