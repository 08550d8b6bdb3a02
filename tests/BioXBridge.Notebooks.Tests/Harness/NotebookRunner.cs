using System.Diagnostics;
using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace BioXBridge.Notebooks.Tests.Harness;

/// <summary>
/// Runs a .ipynb (or .dib) notebook in-process, the way Jupyter / VS Code Polyglot Notebooks run it with the .NET
/// Interactive kernel: a CompositeKernel with a C# kernel that supports <c>#r "nuget: ..."</c> and loads the
/// packages' <c>interactive-extensions/dotnet</c> kernel extensions. The process working directory is the notebook's
/// folder while it runs (relative <c>#r</c> paths resolve against it, as in Jupyter), and .NET Interactive formatters
/// are reset before each notebook. Both are process-wide: run notebooks one at a time (see NotebookCollection).
/// </summary>
public static class NotebookRunner
{
    /// <summary>Per-cell limit; override with BIOX_NOTEBOOK_CELL_TIMEOUT_S.</summary>
    public static TimeSpan CellTimeout { get; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("BIOX_NOTEBOOK_CELL_TIMEOUT_S"), out var s) && s > 0 ? s : 600);

    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs the notebook; throws <see cref="NotebookCellFailedException"/> naming the failing cell.</summary>
    public static async Task<NotebookRun> RunAndAssertAsync(string notebookPath, string? workingDirectory = null)
    {
        var run = await RunAsync(notebookPath, workingDirectory);
        if (!run.Succeeded) throw new NotebookCellFailedException(run);
        return run;
    }

    /// <summary>
    /// Runs every code cell in order and stops at the first failing one (like nbconvert --execute). <paramref name="inject"/>
    /// runs one more cell right after the first cell that contains <c>After</c>, the way papermill injects parameters
    /// after a notebook's parameters cell (tests use it to run a long notebook at a small size). <paramref name="epilogue"/>
    /// runs after the last cell, in the same kernel (tests use it to compute a reference value the notebook printed).
    /// </summary>
    public static async Task<NotebookRun> RunAsync(string notebookPath, string? workingDirectory = null, (string After, string Code)? inject = null,
                                                   string? epilogue = null)
    {
        notebookPath = Path.GetFullPath(notebookPath);
        var document = Parse(notebookPath);
        var run = new NotebookRun { Path = notebookPath };
        var total = Stopwatch.StartNew();

        await OneAtATime.WaitAsync();
        var previousCwd = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(workingDirectory ?? Path.GetDirectoryName(notebookPath)!);
            Formatter.ResetToDefault();
            using var kernel = CreateKernel();
            int number = 0, codeNumber = 0;
            foreach (var element in document.Elements)
            {
                number++;
                if (element.KernelName is "markdown" or "md" || string.IsNullOrWhiteSpace(element.Contents)) continue;
                var cell = new CellRun
                {
                    Number = number, CodeNumber = ++codeNumber,
                    KernelName = element.KernelName ?? "csharp", Code = element.Contents,
                };
                run.Cells.Add(cell);
                await RunCellAsync(kernel, cell);
                if (cell.Failed) break;
                if (inject is { } p && element.Contents.Contains(p.After, StringComparison.Ordinal))
                {
                    var injected = new CellRun { Number = number, CodeNumber = ++codeNumber, KernelName = cell.KernelName, Code = p.Code };
                    run.Cells.Add(injected);
                    await RunCellAsync(kernel, injected);
                    if (injected.Failed) break;
                    inject = null;
                }
            }
            if (epilogue is not null && !run.Cells.Any(c => c.Failed))
            {
                var last = new CellRun { Number = number + 1, CodeNumber = ++codeNumber, KernelName = "csharp", Code = epilogue };
                run.Cells.Add(last);
                await RunCellAsync(kernel, last);
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousCwd);
            Formatter.ResetToDefault();
            OneAtATime.Release();
        }
        run.Elapsed = total.Elapsed;
        return run;
    }

    static InteractiveDocument Parse(string path)
    {
        var infos = new KernelInfoCollection
        {
            new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp", "C#", new[] { "c#", "cs" }),
            new Microsoft.DotNet.Interactive.Documents.KernelInfo("markdown", "Markdown", new[] { "md" }),
        };
        infos.DefaultKernelName = "csharp";
        var text = File.ReadAllText(path);
        return Path.GetExtension(path).Equals(".dib", StringComparison.OrdinalIgnoreCase)
            ? CodeSubmission.Parse(text, infos)
            : Notebook.Parse(text, infos);
    }

    static async Task RunCellAsync(Kernel kernel, CellRun cell)
    {
        var clock = Stopwatch.StartNew();
        var kernelName = cell.KernelName is "c#" or "cs" ? "csharp" : cell.KernelName;
        var submit = kernel.SendAsync(new SubmitCode(cell.Code, kernelName));
        var finished = await Task.WhenAny(submit, Task.Delay(CellTimeout));
        cell.Elapsed = clock.Elapsed;
        if (finished != submit)
        {
            cell.Error = $"timed out after {CellTimeout.TotalSeconds:0} s (BIOX_NOTEBOOK_CELL_TIMEOUT_S)";
            return;
        }
        var result = await submit;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced o:
                    cell.Stdout.Append(PlainText(o));
                    break;
                case StandardErrorValueProduced o:
                    cell.Stderr.Append(PlainText(o));
                    break;
                case DisplayEvent d:
                    foreach (var fv in d.FormattedValues)
                        cell.Outputs.Add(new DisplayedOutput(d.GetType().Name, d.ValueId, fv.MimeType, fv.Value));
                    break;
                case CommandFailed f:
                    cell.Error ??= f.Message;
                    break;
            }
        }
    }

    static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? e.FormattedValues.FirstOrDefault()?.Value ?? "";

    /// <summary>
    /// The kernel a notebook gets: C# with #r nuget (and the packages' kernel extensions, which the dotnet-interactive
    /// tool loads but the library packages do not), kernel helpers and value sharing.
    /// </summary>
    public static CompositeKernel CreateKernel()
    {
        CompositeKernel? composite = null;
        var loadedExtensionDirs = new HashSet<string>(StringComparer.Ordinal);
        var csharp = new CSharpKernel()
            .UseNugetDirective(async (k, references) =>
            {
                k.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                foreach (var r in references)
                {
                    var dir = Path.Combine(r.PackageRoot, "interactive-extensions", "dotnet");
                    if (!Directory.Exists(dir) || !loadedExtensionDirs.Add(dir)) continue;
                    foreach (var dll in Directory.GetFiles(dir, "*.dll"))
                        foreach (var type in Assembly.LoadFrom(dll).GetExportedTypes()
                                     .Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
                            await ((IKernelExtension)Activator.CreateInstance(type)!).OnLoadAsync(composite!);
                }
            }, false)
            .UseKernelHelpers()
            .UseValueSharing();
        composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = "csharp";
        return composite;
    }
}
