using System.Diagnostics;

namespace BioXBridge.Tests.Cli;

/// <summary>The CLI as a user meets it: a child process of the built BioXBridge.Cli.dll, its exit code and both streams.</summary>
public static class CliProcess
{
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(null, args);

    /// <summary>Runs the CLI with extra environment variables (a private weight cache, say).</summary>
    public static (int Code, string Out, string Err) Run(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var p = Process.Start(Info(env, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>
    /// Starts the CLI and returns at once, output redirected. The CLI gets the two variables it would otherwise restart
    /// itself to set, so the process returned is the one that works (and the one a test may kill).
    /// </summary>
    public static Process Start(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = Info(env, args);
        psi.Environment[NativeThreads.Variable] = "1";
        psi.Environment[NativeMemory.Variable] = NativeMemory.Value;
        return Process.Start(psi)!;
    }

    private static ProcessStartInfo Info(IReadOnlyDictionary<string, string>? env, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BioXBridge.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }
}
