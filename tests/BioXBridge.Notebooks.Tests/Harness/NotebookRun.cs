using System.Text;

namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>One formatted value of a display event (a notebook output), e.g. ("text/html", "&lt;table ...").</summary>
public sealed record DisplayedOutput(string Kind, string? ValueId, string MimeType, string Value)
{
    /// <summary>DisplayedValueProduced / DisplayedValueUpdated / ReturnValueProduced.</summary>
    public bool IsUpdate => Kind == "DisplayedValueUpdated";
    public override string ToString() => $"{Kind} {MimeType} ({Value.Length} chars): {(Value.Length > 120 ? Value[..120] + "…" : Value)}";
}

/// <summary>What running one cell produced.</summary>
public sealed class CellRun
{
    /// <summary>1-based position among all cells of the notebook (markdown included), as Jupyter shows them.</summary>
    public required int Number { get; init; }
    /// <summary>1-based position among the code cells.</summary>
    public required int CodeNumber { get; init; }
    public required string KernelName { get; init; }
    public required string Code { get; init; }
    public string FirstLine => Code.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Trim().Length > 0) ?? "";
    public List<DisplayedOutput> Outputs { get; } = new();
    public StringBuilder Stdout { get; } = new();
    public StringBuilder Stderr { get; } = new();
    /// <summary>CommandFailed message (compile errors, exceptions), or null.</summary>
    public string? Error { get; set; }
    public TimeSpan Elapsed { get; set; }
    public bool Failed => Error is not null;
}

/// <summary>The result of running a notebook: every executed cell, in order; execution stops at the first failing cell.</summary>
public sealed class NotebookRun
{
    public required string Path { get; init; }
    public string Name => System.IO.Path.GetFileName(Path);
    public List<CellRun> Cells { get; } = new();
    public TimeSpan Elapsed { get; set; }

    public CellRun? FailedCell => Cells.FirstOrDefault(c => c.Failed);
    public bool Succeeded => FailedCell is null;

    public IEnumerable<DisplayedOutput> Outputs => Cells.SelectMany(c => c.Outputs);
    public IEnumerable<DisplayedOutput> OutputsOf(string mimeType) => Outputs.Where(o => o.MimeType == mimeType);
    public string Stdout => string.Concat(Cells.Select(c => c.Stdout.ToString()));

    /// <summary>Human-readable failure: notebook, cell number, the cell's first line, the error.</summary>
    public string FailureMessage()
    {
        var c = FailedCell;
        return c is null
            ? $"{Name}: all {Cells.Count} code cells passed"
            : $"{Name}: cell {c.Number} (code cell {c.CodeNumber}) failed\n  first line: {c.FirstLine}\n  error: {c.Error}"
              + (c.Stderr.Length > 0 ? $"\n  stderr: {Tail(c.Stderr.ToString(), 2000)}" : "");
    }

    /// <summary>One line per cell (number, time, outputs), for test logs.</summary>
    public string Summary()
    {
        var sb = new StringBuilder($"{Name}: {Cells.Count} code cells in {Elapsed.TotalSeconds:0.0} s\n");
        foreach (var c in Cells)
            sb.Append($"  cell {c.Number,2} {c.Elapsed.TotalSeconds,6:0.00} s {(c.Failed ? "FAILED" : "ok    ")} "
                      + $"{c.Outputs.Count} outputs ({string.Join(", ", c.Outputs.Select(o => $"{o.MimeType} {o.Value.Length}"))}) | {c.FirstLine}\n");
        return sb.ToString();
    }

    static string Tail(string s, int n) => s.Length <= n ? s : "…" + s[^n..];
}

/// <summary>Thrown by <see cref="NotebookRunner.RunAndAssertAsync"/> when a cell fails.</summary>
public sealed class NotebookCellFailedException(NotebookRun run) : Exception(run.FailureMessage())
{
    public NotebookRun Run { get; } = run;
}
