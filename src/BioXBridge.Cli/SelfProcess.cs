using System.Diagnostics;

namespace BioXBridge.Cli;

/// <summary>This CLI started again as a child process, with other arguments: the apphost, or 'dotnet BioXBridge.Cli.dll …'.</summary>
public static class SelfProcess
{
    /// <summary>Sends SIGTERM to a started copy (no managed call does: Process.Kill sends SIGKILL); one that has ended is left alone.</summary>
    public static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows() || process.HasExited) return;
        _ = kill(process.Id, 15);
    }

    /// <summary>
    /// Until disposed, a SIGTERM to this process is handed to <paramref name="children"/> instead of ending it: they save
    /// their checkpoints and exit, and this process outlives them to report how.
    /// </summary>
    public static IDisposable ForwardTerminate(Func<IEnumerable<Process>> children) =>
        System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            foreach (var child in children()) Terminate(child);
        });

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the CLI cannot find its own executable to start again");
        var psi = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
