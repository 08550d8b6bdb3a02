using System.Diagnostics;
using System.Globalization;
using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge bench [models]</c>: forward time per batch of every full-size port on the CPU, next to the PyTorch
/// reference's time for the same model, weights, input shape and thread count, measured in the same run, as a ratio.
/// </summary>
public static class BenchCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("batch", "B", "batch size (default 8)"),
        new("threads", "N", "CPU threads for both TorchSharp and PyTorch (default 1)"),
        new("repeats", "N", "timed forward passes after one warm-up (default 3)"),
        new("model", "NAME", "only this model (default: all registered)"),
        new("python", "PATH", "Python with torch for the references (default /usr/bin/python3); 'none' skips them"),
        new("help", null, "show this help"),
    ];

    /// <summary><c>bench</c> or <c>bench models</c> (the default) and <c>bench prepare</c> (<see cref="BenchPrepare"/>).</summary>
    public static int Dispatch(string[] args)
    {
        if (args.Length > 0 && args[0] == "prepare")
            return CliArgs.Run("bench prepare", args[1..], BenchPrepare.Options, BenchPrepare.About, BenchPrepare.Run);
        if (args.Length > 0 && !args[0].StartsWith("--") && args[0] != "models")
            throw new UsageException($"bench: unknown benchmark '{args[0]}'; expected 'models' (default) or 'prepare'");
        return CliArgs.Run("bench models", args.Length > 0 && args[0] == "models" ? args[1..] : args, Options, About, Run);
    }

    public const string About =
        "'bench [models]' times the full-size forward pass of each foundation-model port (TorchSharp, CPU) against its PyTorch\n" +
        "reference (tools/golden/<model>_reference.py --bench) on this machine in the same run and prints the ratio.\n" +
        "Needs an idle machine for meaningful numbers. 'bench prepare' times WESAD preprocessing instead\n" +
        "(see 'bioxbridge bench prepare --help').";

    public static int Run(CliArgs a)
    {
        int batch = a.Int("batch", 8, 1), threads = a.Int("threads", 1, 1), repeats = a.Int("repeats", 3, 1);
        var python = a.String("python") ?? "/usr/bin/python3";
        var only = a.String("model");
        var models = only is null ? ModelZoo.All : [ModelZoo.Find(only) ?? throw new UsageException($"bench: unknown model '{only}'; see 'bioxbridge models info'")];
        set_num_threads(threads);
        Console.WriteLine($"batch {batch}, {threads} thread(s), {repeats} timed passes; PyTorch: {python}");
        Console.WriteLine($"{"model",-18} {"TorchSharp ms",14} {"PyTorch ms",12} {"PyTorch/TorchSharp",20}");
        foreach (var m in models)
        {
            double ours = TimeTorchSharp(m, batch, repeats);
            double? theirs = python == "none" ? null : TimeReference(m, python, batch, threads);
            Console.WriteLine($"{m.Name,-18} {ours,14:F1} {Fmt(theirs),12} {(theirs is double t ? (t / ours).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–"),20}");
        }
        return 0;
    }

    private static string Fmt(double? v) => v?.ToString("F1", CultureInfo.InvariantCulture) ?? "–";

    private static double TimeTorchSharp(ZooEntry m, int batch, int repeats)
    {
        using var model = m.Full();
        SyntheticWeights.Fill(model); // the references use the same closed-form weights
        model.eval();
        using var noGrad = no_grad();
        using var x = randn([batch, .. m.BenchInput]);
        using (var scope = NewDisposeScope()) model.call(x); // warm-up
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            using var scope = NewDisposeScope();
            model.call(x);
        }
        return clock.Elapsed.TotalMilliseconds / repeats;
    }

    /// <summary>The reference's milliseconds per batch; null (with a note) when it cannot run.</summary>
    private static double? TimeReference(ZooEntry m, string python, int batch, int threads) =>
        PythonReference.Run(python, m.ReferenceScript,
            ["--bench", batch.ToString(CultureInfo.InvariantCulture),
             .. m.ReferenceArgs.Replace("{threads}", threads.ToString(CultureInfo.InvariantCulture)).Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            threads, "  " + m.Name)?.GetProperty("ms_per_batch").GetDouble();
}
