using System.Diagnostics;

using BioXBridge.Experiments;

namespace BioXBridge.Reports;

/// <summary>PNG screenshots of local HTML pages with Debian's headless Chromium (no network, no GPU).</summary>
public static class HeadlessChromium
{
    public static string? Find(string? explicitPath = null)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? explicitPath : throw new FileNotFoundException($"{explicitPath}: no Chromium there", explicitPath);
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists);
    }

    public static void Screenshot(string chromium, string html, string png, int width, int height)
    {
        Run(chromium, html, [$"--window-size={width},{height}", $"--screenshot={png}"]);
        if (!File.Exists(png)) throw new IOException($"{html}: Chromium wrote no screenshot");
    }

    /// <summary>The page's DOM after its scripts ran (what a test inspects to see that a plot drew its SVG).</summary>
    public static string DumpDom(string chromium, string html) => Run(chromium, html, ["--dump-dom"]);

    private static string Run(string chromium, string html, string[] what)
    {
        var profile = Directory.CreateTempSubdirectory("bioxbridge-chromium-");
        try
        {
            var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                                      "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--virtual-time-budget=5000",
                                      $"--user-data-dir={profile.FullName}" }.Concat(what).Append(new Uri(Path.GetFullPath(html)).AbsoluteUri))
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60_000)) { p.Kill(true); throw new IOException($"{html}: Chromium did not finish within 60 s"); }
            if (p.ExitCode != 0) throw new IOException($"{html}: Chromium failed (exit {p.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return stdout;
        }
        finally { profile.Delete(recursive: true); }
    }
}
