using BioXBridge;
using BioXBridge.Cli;

// MKL must start single-threaded (NativeThreads) and glibc must keep freed memory (NativeMemory); both are read only when
// a process starts, so a process started without either variable runs itself again with it
if ((NativeThreads.StartedWithout || NativeMemory.StartedWithout) && Environment.ProcessPath is not null)
{
    var child = SelfProcess.StartInfo(args);
    if (NativeThreads.StartedWithout) child.Environment[NativeThreads.Variable] = "1";
    if (NativeMemory.StartedWithout) child.Environment[NativeMemory.Variable] = NativeMemory.Value;
    using var process = System.Diagnostics.Process.Start(child)!;
    // Slurm signals every process of the job: the child saves its checkpoint and exits 143, and this parent has to
    // outlive it to pass that code on; a SIGTERM sent to the parent alone (kill PID) is handed to the child
    using var forward = SelfProcess.ForwardTerminate(() => [process]);
    process.WaitForExit();
    return process.ExitCode;
}

// Spectre assumes 80 columns when output goes to a file, and would cut the ± sd off the results table in every log
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;

// bioxbridge <command> [options]: the CLI twin of every notebook step. Each command parses its own words, so commands
// with sub-commands (models) and plain ones share one table.
var commands = new Dictionary<string, (string About, Func<string[], int> Run)>
{
    ["demo"] = (DemoCommand.About, a => CliArgs.Run("demo", a, DemoCommand.Options, DemoCommand.About, DemoCommand.Run)),
    ["directions"] = (DirectionsCommand.About, a => CliArgs.Run("directions", a, DirectionsCommand.Options, DirectionsCommand.About, DirectionsCommand.Run)),
    ["run"] = (RunCommand.About, a => CliArgs.Run("run", a, RunCommand.Options, RunCommand.About, RunCommand.Run)),
    ["report"] = (ReportCommand.About, a => CliArgs.Run("report", a, ReportCommand.Options, ReportCommand.About, ReportCommand.Run)),
    ["predict"] = (PredictCommand.About, a => CliArgs.Run("predict", a, PredictCommand.Options, PredictCommand.About, PredictCommand.Run)),
    ["positions"] = (PositionsCommand.About, a => CliArgs.Run("positions", a, PositionsCommand.Options, PositionsCommand.About, PositionsCommand.Run)),
    ["sweep"] = (SweepCommand.About, SweepCommand.Dispatch),
    ["ablations"] = (AblationsCommand.About, a => CliArgs.Run("ablations", a, AblationsCommand.Options, AblationsCommand.About, AblationsCommand.Run)),
    ["pretrain"] = (PretrainCommand.About, a => CliArgs.Run("pretrain", a, PretrainCommand.Options, PretrainCommand.About, PretrainCommand.Run)),
    ["models"] = (ModelsCommand.About, ModelsCommand.Dispatch),
    ["figures"] = (FiguresCommand.About, a => CliArgs.Run("figures", a, FiguresCommand.Options, FiguresCommand.About, FiguresCommand.Run)),
    ["bench"] = (BenchCommand.About, BenchCommand.Dispatch),
    ["data"] = (DataCommand.About, DataCommand.Dispatch),
};

string Overview() =>
    "bioxbridge — BioX-Bridge: unsupervised cross-modal knowledge transfer between biosignals\n\n" +
    "Usage: bioxbridge <command> [options]     (from a clone: dotnet run --project src/BioXBridge.Cli -c Release -- <command>)\n\nCommands:\n" +
    string.Join("\n", commands.Select(c => $"  {c.Key,-10} {c.Value.About.Split('\n')[0]}")) +
    "\n\nRun 'bioxbridge <command> --help' for a command's options.";

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(Overview());
    return 0;
}
if (!commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}'. Commands: {string.Join(", ", commands.Keys)}. See 'bioxbridge --help'.");
    return 2;
}
// SIGTERM (Slurm's preemption, scancel) makes a checkpointing training save where it is and stop
BioXBridge.Models.Interruption.Enable();
try
{
    return command.Run(args[1..]);
}
catch (BioXBridge.Models.TrainingInterruptedException e)
{
    Console.Error.WriteLine(e.Message);
    return 143; // 128 + SIGTERM, as if the signal had ended the process
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
