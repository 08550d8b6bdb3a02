using BioXBridge.Data;

namespace BioXBridge.Tests.Data;

/// <summary>
/// Shared by the ISRUC reader tests: the files tools/golden/isruc_fixtures.py wrote (copied next to the test
/// assembly), the value formula those .mat files hold, and the EDF that the C# writer produced for mne to cross-read.
/// No xunit here, so the same file can drive the small program that rewrites csharp_written.edf.
/// </summary>
internal static class IsrucFixtures
{
    public static readonly string[] Channels = ["F3_A2", "C3_A2", "O1_A2", "F4_A1", "C4_A1", "O2_A1", "X2"];

    public static string Path(string name)
    {
        string p = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "isruc", name);
        if (!File.Exists(p)) throw new FileNotFoundException($"Missing fixture {p}; run /usr/bin/python3 tools/golden/isruc_fixtures.py");
        return p;
    }

    /// <summary>Element (i, j) of channel c in the generated .mat files; exact in float32 and float64.</summary>
    public static double MatValue(int c, int i, int j) => ((i * 7919L + j * 677L + c * 31L) % 2001 - 1000) / 8.0;

    /// <summary>What the C# writer wrote into csharp_written.edf: EDF+, 5 records of 1 s, two 200-Hz signals with
    /// different units and digital ranges (mne resamples mixed rates, so both share one) and two annotations.</summary>
    public static (EdfWriteOptions Options, EdfSignalSpec[] Signals) CsharpWritten()
    {
        const int n = 5 * 200;
        var eeg = new double[n];
        var ecg = new double[n];
        for (int k = 0; k < n; k++)
        {
            double t = k / 200.0;
            eeg[k] = 80 * Math.Sin(2 * Math.PI * 10 * t) + 25 * Math.Sin(2 * Math.PI * 1.3 * t + 0.4);
            ecg[k] = 1.2 * Math.Exp(-Math.Pow((t % 0.8 - 0.3) / 0.02, 2)) - 0.1 * Math.Cos(2 * Math.PI * 0.25 * t);
        }
        var options = new EdfWriteOptions(new DateTime(2021, 3, 14, 23, 5, 9), RecordDuration: 1, EdfPlus: true,
            Annotations: [new EdfAnnotation(0.5, 30, "Sleep stage W"), new EdfAnnotation(3.25, null, "Arousal")]);
        return (options,
        [
            new EdfSignalSpec("C3-A2", eeg, 200, -150, 150, "uV", Prefiltering: "HP:0.3Hz"),
            new EdfSignalSpec("X2", ecg, 200, PhysicalDimension: "mV", DigitalMin: -2048, DigitalMax: 2047),
        ]);
    }
}
