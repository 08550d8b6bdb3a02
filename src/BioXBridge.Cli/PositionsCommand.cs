using System.Globalization;
using BioXBridge.Bridge;
using BioXBridge.Experiments;
using Spectre.Console;

namespace BioXBridge.Cli;

/// <summary><c>bioxbridge positions</c>: the CLI twin of notebook 03, both stages of position selection.</summary>
public static class PositionsCommand
{
    public static readonly OptionSpec[] Options =
    [
        .. ExperimentOptions.Options,
        new("criterion", "f1macro|accuracy|negativelogloss", "stage-1 probe score (default f1macro, the paper's)"),
        new("help", null, "show this help"),
    ];

    public const string About =
        "Selects the bridge positions on the paired split with forward passes only: stage 1 scores a logistic-regression\n" +
        "probe of the teacher's pseudo-labels on every new-model block output (m), stage 2 the linear CKA between those\n" +
        "features and every old-model block input (l). Prints both profiles and the choice.";

    public static int Run(CliArgs a)
    {
        var criterion = a.Enum("criterion", ProbeCriterion.F1Macro);
        var cfg = ExperimentOptions.Config(a, [$"positions.criterion=\"{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(criterion.ToString())}\"",
                                               "positions.input=null", "positions.output=null"]);
        var store = ExperimentOptions.Store(a);
        var (positions, note) = ConsoleProgress.Run(a.Has("quiet"), p =>
        {
            using var ctx = ExperimentContext.Load(cfg, ExperimentOptions.Device(a), p, store);
            return (ctx.SelectPositions(p), ctx.DataNote);
        });
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var stage1 = new Table().Title($"stage 1: {positions.Criterion} probe per new block").AddColumns("m", "score", "");
        for (int i = 0; i < positions.Stage1.Length; i++) stage1.AddRow($"{i + 1}", F(positions.Stage1[i]), i + 1 == positions.Input ? "◀ chosen" : "");
        var stage2 = new Table().Title("stage 2: linear CKA per old block").AddColumns("l", "CKA", "");
        for (int i = 0; i < positions.Stage2.Length; i++) stage2.AddRow($"{i}", F(positions.Stage2[i]), i == positions.Output ? "◀ chosen" : "");
        AnsiConsole.Write(new Columns(stage1, stage2));
        AnsiConsole.MarkupLineInterpolated($"input position m = {positions.Input}, output position l = {positions.Output}");
        AnsiConsole.MarkupLineInterpolated($"[bold yellow]{note}[/]");
        return 0;
    }
}
