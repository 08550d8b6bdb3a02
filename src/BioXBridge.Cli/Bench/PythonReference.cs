using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace BioXBridge.Cli;

/// <summary>
/// Runs a committed Python script (a bare name lives in tools/golden/, a path is relative to the repository) and reads the
/// one JSON line it prints last; the benchmarks time our code and the Python peer in the same run, on the same machine,
/// with the same thread count.
/// </summary>
public static class PythonReference
{
    /// <summary>Debian's interpreter, where apt installs python3-torch, numpy and scipy (a pyenv python3 may lack them).</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>The JSON result, or null with one line on stderr (prefixed by <paramref name="label"/>) when the script cannot run.</summary>
    public static JsonElement? Run(string python, string script, IEnumerable<string> args, int threads, string label)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script.Contains('/') ? Path.Combine(RepoRoot(), script) : Path.Combine(RepoRoot(), "tools", "golden", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = psi.Environment["OPENBLAS_NUM_THREADS"] = psi.Environment["MKL_NUM_THREADS"] =
            threads.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var json = p.StandardOutput.ReadToEnd().Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
            p.WaitForExit();
            if (p.ExitCode == 0 && json is not null) return JsonDocument.Parse(json).RootElement.Clone();
            Console.Error.WriteLine($"{label}: reference failed (exit {p.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"{label}: cannot start '{python}' ({e.Message}); pass --python PATH or --python none");
            return null;
        }
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "BioXBridge.sln"))) return d.FullName;
        throw new IOException("bench: cannot find the repository (BioXBridge.sln) above the program or the current folder; the references live in tools/golden/");
    }
}
