namespace BioXBridge.Data;

/// <summary>
/// Windows of one modality, N × channels × samples, row-major float32 (the layout the models read). A window whose
/// per-channel values are themselves an array (NormWear's scalogram: 3 × time × scales) keeps that shape in
/// <see cref="SampleShape"/>; <see cref="Samples"/> is then its product.
/// </summary>
public sealed record SignalWindows(string Modality, double RateHz, int Channels, int Samples, float[] Values, int[]? SampleShape = null)
{
    /// <summary>The array shape of all windows: (N, channels, samples) or (N, channels, ..sample shape).</summary>
    public long[] Shape => [Count, Channels, .. (SampleShape ?? [Samples]).Select(d => (long)d)];

    public int Count => Values.Length / (Channels * Samples);
    public int WindowLength => Channels * Samples;

    public ReadOnlySpan<float> Window(int i) => Values.AsSpan(i * WindowLength, WindowLength);

    public SignalWindows Select(IReadOnlyList<int> rows)
    {
        var v = new float[rows.Count * WindowLength];
        for (int r = 0; r < rows.Count; r++) Window(rows[r]).CopyTo(v.AsSpan(r * WindowLength));
        return this with { Values = v };
    }
}

/// <summary>
/// Two modalities cut from the same moments: window i of <see cref="First"/> and of <see cref="Second"/> were recorded
/// together, and share the label and subject at index i. <see cref="Synthetic"/> travels with the data into every record.
/// </summary>
public sealed record PairedWindows(
    string Dataset, bool Synthetic, IReadOnlyList<string> ClassNames,
    SignalWindows First, SignalWindows Second, int[] Labels, string[] Subjects)
{
    public int Count => Labels.Length;

    public SignalWindows Modality(string name) =>
        First.Modality == name ? First : Second.Modality == name ? Second
        : throw new ArgumentException($"dataset '{Dataset}' has modalities '{First.Modality}' and '{Second.Modality}', not '{name}'");

    public PairedWindows Select(IReadOnlyList<int> rows) => this with
    {
        First = First.Select(rows), Second = Second.Select(rows),
        Labels = rows.Select(r => Labels[r]).ToArray(), Subjects = rows.Select(r => Subjects[r]).ToArray(),
    };

    public PairedWindows WhereSubject(Func<string, bool> keep) =>
        Select(Enumerable.Range(0, Count).Where(i => keep(Subjects[i])).ToArray());

    /// <summary>
    /// Prepares every recording (two at a time) and concatenates the windows in the given order, so the result does not
    /// depend on scheduling; a failing recording surfaces its own exception rather than the parallel wrapper.
    /// </summary>
    public static PairedWindows PrepareEach<T>(IReadOnlyList<T> recordings, Func<T, PairedWindows> prepare)
    {
        if (recordings.Count == 0) throw new ArgumentException("no recordings to prepare", nameof(recordings));
        var parts = new PairedWindows[recordings.Count];
        try
        {
            Parallel.For(0, recordings.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => parts[i] = prepare(recordings[i]));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return Concat(parts);
    }

    public static PairedWindows Concat(IReadOnlyList<PairedWindows> parts)
    {
        var p0 = parts[0];
        SignalWindows Cat(Func<PairedWindows, SignalWindows> f) => f(p0) with { Values = parts.SelectMany(p => f(p).Values).ToArray() };
        return p0 with
        {
            First = Cat(p => p.First), Second = Cat(p => p.Second),
            Labels = parts.SelectMany(p => p.Labels).ToArray(), Subjects = parts.SelectMany(p => p.Subjects).ToArray(),
        };
    }
}
