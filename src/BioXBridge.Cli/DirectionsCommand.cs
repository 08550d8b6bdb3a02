using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge directions</c>: the shipped direction configs.</summary>
public static class DirectionsCommand
{
    public static readonly OptionSpec[] Options = [new("help", null, "show this help")];

    public const string About =
        "Lists the shipped directions (configs/directions/*.json): the paper's six at full size, which need the real\n" +
        "prepared data (--data) and the published weights (--new-weights, --old-weights), and their synthetic twins\n" +
        "(syn…: tiny models of the same topology on a generator; they run anywhere in minutes).";

    public static int Run(CliArgs a)
    {
        var table = new Table().AddColumns("direction", "dataset", "old (teacher)", "new", "positions m, l", "needs");
        foreach (var name in DirectionFiles.Names())
        {
            var c = DirectionFiles.Load(name);
            string Role(RoleSpec r) => $"{r.Modality} {r.Model} ({r.Size.ToString().ToLowerInvariant()})";
            table.AddRow(name, c.Dataset.Name, Role(c.Old), Role(c.New),
                         c.Positions is { Input: int m, Output: int l } ? $"{m}, {l}" : "selected",
                         c.Synthetic ? "nothing (SYNTHETIC)" : "prepared data + published weights");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
