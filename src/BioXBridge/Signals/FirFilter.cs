namespace BioXBridge.Signals;

/// <summary>Window-method FIR design, numerically the same as <c>scipy.signal.firwin</c> with a Hamming window.</summary>
public static class FirFilter
{
    /// <summary>
    /// <c>scipy.signal.firwin(numtaps, cutoffsHz, pass_zero=passZero, fs=fs)</c> with the default Hamming window and
    /// scale=True (unit gain at DC, at Nyquist, or at the centre of the first pass band).
    /// </summary>
    public static double[] Firwin(int numtaps, double[] cutoffsHz, bool passZero, double fs)
    {
        if (numtaps < 1) throw new ArgumentException($"numtaps must be at least 1, not {numtaps}");
        if (cutoffsHz is null || cutoffsHz.Length == 0) throw new ArgumentException("at least one cutoff frequency is needed");
        double nyq = 0.5 * fs;
        var cut = cutoffsHz.Select(c => c / nyq).ToArray();
        for (int i = 0; i < cut.Length; i++)
        {
            if (!(cut[i] > 0 && cut[i] < 1))
                throw new ArgumentException($"cutoff {cutoffsHz[i]} Hz must lie strictly between 0 and Nyquist ({nyq} Hz)");
            if (i > 0 && !(cut[i] > cut[i - 1]))
                throw new ArgumentException("cutoff frequencies must be strictly increasing");
        }
        bool passNyquist = ((cut.Length & 1) == 1) ^ passZero;
        if (passNyquist && numtaps % 2 == 0)
            throw new ArgumentException($"a filter that passes Nyquist needs an odd number of taps, not {numtaps}");

        var edges = new List<double>();
        if (passZero) edges.Add(0.0);
        edges.AddRange(cut);
        if (passNyquist) edges.Add(1.0);

        double alpha = 0.5 * (numtaps - 1);
        var h = new double[numtaps];
        for (int b = 0; b < edges.Count; b += 2)
        {
            double left = edges[b], right = edges[b + 1];
            for (int i = 0; i < numtaps; i++)
            {
                double m = i - alpha;
                h[i] += right * Sinc(right * m) - left * Sinc(left * m);
            }
        }
        var win = Hamming(numtaps);
        for (int i = 0; i < numtaps; i++) h[i] *= win[i];

        // scale=True: normalise the gain at a frequency inside the first pass band.
        double l0 = edges[0], r0 = edges[1];
        double f = l0 == 0 ? 0.0 : r0 == 1 ? 1.0 : 0.5 * (l0 + r0);
        double s = 0;
        for (int i = 0; i < numtaps; i++) s += h[i] * Math.Cos(Math.PI * (i - alpha) * f);
        for (int i = 0; i < numtaps; i++) h[i] /= s;
        return h;
    }

    /// <summary>
    /// biosppy <c>filter_signal(ftype='FIR', band='bandpass', order, frequency=[low, high])</c>: biosppy turns an even
    /// order into an odd tap count (order 150 → 151 taps) so the band-pass is a type-I linear-phase filter.
    /// </summary>
    public static double[] BandPassTaps(int order, double lowHz, double highHz, double fs)
    {
        int numtaps = order % 2 == 0 ? order + 1 : order;
        return Firwin(numtaps, [lowHz, highHz], passZero: false, fs);
    }

    /// <summary>Symmetric Hamming window (scipy <c>get_window('hamming', M, fftbins=False)</c>).</summary>
    public static double[] Hamming(int m)
    {
        var w = new double[m];
        if (m == 1) { w[0] = 1; return w; }
        for (int i = 0; i < m; i++) w[i] = 0.54 - 0.46 * Math.Cos(2 * Math.PI * i / (m - 1));
        return w;
    }

    static double Sinc(double x)
    {
        if (x == 0) return 1.0;
        double px = Math.PI * x;
        return Math.Sin(px) / px;
    }
}
