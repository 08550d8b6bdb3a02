using BioXBridge.Models;
using static TorchSharp.torch;

namespace BioXBridge.Cli;

/// <summary>
/// <c>bioxbridge bench all | models | prepare</c>. <c>all</c> is the suite (<see cref="BenchSuite"/>); <c>models</c> (the
/// default) only its forward cases, printed; <c>prepare</c> only WESAD preparation against numpy/scipy, at any size.
/// </summary>
public static class BenchCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("batch", "B", "windows per pass (default: each model's BenchBatch, 8; NormWear 2)"),
        new("threads", "N", "CPU threads for both TorchSharp and PyTorch (default 1)"),
        new("repeats", "N", "timed passes after one warm-up (default 5)"),
        new("model", "NAME", "only this model (default: all registered)"),
        new("python", "PATH", "Python with torch on an optimised BLAS (default /usr/bin/python3); 'none' skips PyTorch"),
        new("help", null, "show this help"),
    ];

    public static int Dispatch(string[] args)
    {
        var (verb, rest) = args.Length > 0 && !args[0].StartsWith("--") ? (args[0], args[1..]) : ("models", args);
        return verb switch
        {
            "all" => CliArgs.Run("bench all", rest, BenchSuite.Options, BenchSuite.About, BenchSuite.Run),
            "models" => CliArgs.Run("bench models", rest, Options, About, Run),
            "prepare" => CliArgs.Run("bench prepare", rest, BenchPrepare.Options, BenchPrepare.About, BenchPrepare.Run),
            BridgeVsKdBench.ChildCommand => BridgeVsKdBench.ChildMain(rest),
            _ => throw new UsageException($"bench: unknown benchmark '{verb}'; expected 'all', 'models' (default) or 'prepare'"),
        };
    }

    public const string About =
        "'bench all --out FILE.json' runs the benchmark suite (see 'bioxbridge bench all --help'); 'bench [models]' times the\n" +
        "full-size forward pass of each port against its PyTorch reference on an optimised BLAS, same run, same threads;\n" +
        "'bench prepare' times WESAD preprocessing against numpy/scipy. Meaningful only on an otherwise idle machine.";

    public static int Run(CliArgs a)
    {
        int threads = a.Int("threads", 1, 1);
        var r = Repetitions.Full with { Repeats = a.Int("repeats", Repetitions.Full.Repeats, 1) };
        var python = a.String("python") ?? PythonReference.DefaultPython;
        var only = a.String("model");
        var models = only is null ? ModelZoo.All : [ModelZoo.Find(only) ?? throw new UsageException($"bench: unknown model '{only}'; see 'bioxbridge models info'")];
        set_num_threads(threads);
        var peer = python == "none" ? null : PyTorchPeer.Open(python, threads, BenchSuite.CeilingSize(quick: false));
        Console.WriteLine($"{threads} thread(s); PyTorch: {(peer is null ? "none" : $"{peer.Info["torch"]} on {peer.Info["blas"]}")}");
        foreach (var m in models)
            Console.WriteLine(BenchReport.Line(ForwardBench.TorchSharpVsPyTorch(m, a.Int("batch", m.BenchBatch, 1), r, peer)));
        return 0;
    }
}
