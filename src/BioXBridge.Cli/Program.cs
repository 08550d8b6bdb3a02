using BioXBridge.Cli;

// bioxbridge <command> [options]: the CLI twin of every notebook step.
var commands = new Dictionary<string, (string About, OptionSpec[] Options, Func<CliArgs, int> Run)>
{
    ["demo"] = (DemoCommand.About, DemoCommand.Options, DemoCommand.Run),
    ["pretrain"] = (PretrainCommand.About, PretrainCommand.Options, PretrainCommand.Run),
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
try
{
    var parsed = new CliArgs(args[0], args[1..], command.Options);
    if (parsed.Has("help"))
    {
        Console.WriteLine(CliArgs.Help($"Usage: bioxbridge {args[0]} [options]", command.About, command.Options));
        return 0;
    }
    return command.Run(parsed);
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
