using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace BioXBridge.Reports;

/// <summary>
/// PNG screenshots of local HTML pages with Debian's headless Chromium (no network, no GPU). One browser serves every
/// page of an export through the DevTools protocol: starting Chromium costs more than drawing a chart (1.8 s against
/// about 0.2 s here), so one process per PNG made the export of a sweep's figures take minutes.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public static string? Find(string? explicitPath = null)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? explicitPath : throw new FileNotFoundException($"{explicitPath}: no Chromium there", explicitPath);
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>How long a page's timers may run (virtual time, so it costs nothing when they are idle), as --virtual-time-budget.</summary>
    private const int VirtualTimeBudgetMs = 5000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string chromium;
    private readonly Process process;
    private readonly DirectoryInfo profile;
    private readonly ClientWebSocket socket = new();
    private readonly Queue<JsonObject> events = new();
    private readonly List<string> stderr = new();
    private int nextId;

    private HeadlessChromium(string chromium)
    {
        this.chromium = chromium;
        profile = Directory.CreateTempSubdirectory("bioxbridge-chromium-");
        var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                                  "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0",
                                  $"--user-data-dir={profile.FullName}", "about:blank" })
            psi.ArgumentList.Add(a);
        process = Process.Start(psi)!;
        // Chromium says where its DevTools endpoint listens on stderr; the rest of stderr is kept for error messages
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { endpoint.TrySetException(new IOException($"{chromium} exited before it listened: {Tail()}")); return; }
            lock (stderr) stderr.Add(e.Data);
            if (e.Data.StartsWith("DevTools listening on ", StringComparison.Ordinal)) endpoint.TrySetResult(e.Data["DevTools listening on ".Length..].Trim());
        };
        process.BeginErrorReadLine();
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        try
        {
            if (!endpoint.Task.Wait(Patience)) throw new IOException($"{chromium} did not open its DevTools endpoint within {Patience.TotalSeconds} s: {Tail()}");
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            if (!socket.ConnectAsync(new Uri(endpoint.Task.Result), CancellationToken.None).Wait(Patience))
                throw new IOException($"{chromium} did not accept a DevTools connection within {Patience.TotalSeconds} s");
        }
        catch (Exception e) when (e is AggregateException or IOException or WebSocketException)
        {
            Dispose();
            throw new IOException($"{chromium}: could not start a headless browser: {(e as AggregateException)?.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>Starts a headless browser for the screenshots of one export; disposing ends it and removes its profile.</summary>
    public static HeadlessChromium Start(string chromium) => new(chromium);

    public void Screenshot(string html, string png, int width, int height)
    {
        var data = InPage(html, width, height, session => Call("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, session)["data"]!.GetValue<string>());
        File.WriteAllBytes(png, Convert.FromBase64String(data));
    }

    /// <summary>The page's DOM after its scripts ran (what a test inspects to see that a plot drew its SVG).</summary>
    public string Dom(string html, int width = 800, int height = 600) => InPage(html, width, height, session =>
        Call("Runtime.evaluate", new JsonObject { ["expression"] = "document.documentElement.outerHTML", ["returnByValue"] = true }, session)
            ["result"]!["value"]!.GetValue<string>());

    /// <summary>
    /// Opens <paramref name="html"/> in a fresh tab of <paramref name="width"/> × <paramref name="height"/> CSS pixels, lets
    /// it load and its timers run for the virtual-time budget (what <c>--screenshot</c> does), then reads it.
    /// </summary>
    private T InPage<T>(string html, int width, int height, Func<string, T> read)
    {
        var target = Call("Target.createTarget", new JsonObject { ["url"] = "about:blank" })["targetId"]!.GetValue<string>();
        try
        {
            var session = Call("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true })["sessionId"]!.GetValue<string>();
            Call("Page.enable", new JsonObject(), session);
            Call("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session);
            var navigated = Call("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(html)).AbsoluteUri }, session);
            if (navigated["errorText"] is JsonNode error) throw new IOException($"{html}: Chromium could not open it: {error}");
            WaitFor("Page.loadEventFired", session);
            Call("Emulation.setVirtualTimePolicy", new JsonObject { ["policy"] = "pauseIfNetworkFetchesPending", ["budget"] = VirtualTimeBudgetMs }, session);
            WaitFor("Emulation.virtualTimeBudgetExpired", session);
            return read(session);
        }
        catch (IOException e) when (!e.Message.StartsWith(html, StringComparison.Ordinal)) { throw new IOException($"{html}: {e.Message}", e); }
        finally { Call("Target.closeTarget", new JsonObject { ["targetId"] = target }); }
    }

    /// <summary>Sends one DevTools command and returns its result; events that arrive meanwhile are queued for <see cref="WaitFor"/>.</summary>
    private JsonObject Call(string method, JsonObject parameters, string? session = null)
    {
        int id = ++nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null) message["sessionId"] = session;
        Await(socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None), method);
        while (true)
        {
            var reply = Receive(method);
            if (reply["id"]?.GetValue<int>() != id) { events.Enqueue(reply); continue; }
            if (reply["error"] is JsonNode err) throw new IOException($"Chromium refused {method}: {err["message"]}");
            return reply["result"]!.AsObject();
        }
    }

    private void WaitFor(string eventName, string session)
    {
        bool Is(JsonObject e) => e["method"]?.GetValue<string>() == eventName && e["sessionId"]?.GetValue<string>() == session;
        int queued = events.Count;
        for (int i = 0; i < queued; i++)
        {
            var e = events.Dequeue();
            if (Is(e)) return;
            events.Enqueue(e);
        }
        while (!Is(Receive(eventName))) { }
    }

    private JsonObject Receive(string awaiting)
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        WebSocketReceiveResult part;
        do
        {
            part = Await(socket.ReceiveAsync(buffer, CancellationToken.None), awaiting);
            if (part.MessageType == WebSocketMessageType.Close) throw new IOException($"Chromium closed its connection while {awaiting} was pending: {Tail()}");
            message.Write(buffer, 0, part.Count);
        } while (!part.EndOfMessage);
        return JsonNode.Parse(message.ToArray())!.AsObject();
    }

    private T Await<T>(Task<T> task, string what)
    {
        Await((Task)task, what);
        return task.Result;
    }

    private void Await(Task task, string what)
    {
        try
        {
            if (!task.Wait(Patience)) throw new IOException($"Chromium did not answer {what} within {Patience.TotalSeconds} s");
        }
        catch (AggregateException e) { throw new IOException($"{chromium} failed during {what}: {e.InnerException?.Message} {Tail()}", e.InnerException); }
    }

    private string Tail() { lock (stderr) return string.Join(" | ", stderr.TakeLast(2)); }

    public void Dispose()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
                socket.SendAsync(Encoding.UTF8.GetBytes("{\"id\":0,\"method\":\"Browser.close\"}"), WebSocketMessageType.Text, true, CancellationToken.None).Wait(5000);
            if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is AggregateException or InvalidOperationException or WebSocketException) { }
        finally
        {
            socket.Dispose();
            process.Dispose();
            try { profile.Delete(recursive: true); } catch (IOException) { }   // the browser's last writes may race the delete
        }
    }
}
