using System.Diagnostics;
using System.Globalization;

namespace BioXBridge.Interactive;

/// <summary>
/// A progress bar that updates one notebook output in place (<see cref="NotebookDisplay.Update"/>), for long-running
/// library calls that report progress:
/// <code>
/// var progress = NotebookProgress.Start("training");
/// for (int i = 1; i &lt;= n; i++) { ...; progress.Report($"epoch {i}", i, n); }
/// progress.Complete();
/// </code>
/// Updates are throttled (<see cref="MinInterval"/>, default 250 ms) except the first and the final one, so a tight
/// loop does not flood the frontend. Thread-safe. Outside a notebook (no kernel context) it writes plain lines to
/// <see cref="Console.Out"/> instead, at most one per <see cref="MinInterval"/>.
/// </summary>
public sealed class NotebookProgress : IProgress<ProgressReport>, IProgress<(string Step, int Done, int Total)>
{
    readonly object _gate = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly NotebookDisplay? _display;
    TimeSpan _lastSent = TimeSpan.MinValue;
    string _step = "";
    string? _detail;
    int _done, _total;
    bool _completed, _pending;
    Timer? _flush;

    NotebookProgress(string title, TimeSpan minInterval)
    {
        Title = title;
        MinInterval = minInterval;
        CurrentHtml = Render();
        _display = NotebookDisplay.TryShowHtml(CurrentHtml);
        if (_display is null)
            Console.WriteLine($"[{Title}] started");
    }

    /// <summary>Shows an empty progress display titled <paramref name="title"/> in the current cell's output.</summary>
    public static NotebookProgress Start(string title = "progress", TimeSpan? minInterval = null) =>
        new(title, minInterval ?? TimeSpan.FromMilliseconds(250));

    public string Title { get; }

    /// <summary>Minimum time between two display updates (the final update is always sent).</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>The HTML of the latest report (whether or not it was sent yet).</summary>
    public string CurrentHtml { get; private set; }

    /// <summary>How many updates reached the display (or the console) after the initial one.</summary>
    public int UpdatesSent { get; private set; }

    /// <summary>True when shown in a notebook output, false when writing to the console.</summary>
    public bool IsNotebookDisplay => _display is not null;

    /// <summary>
    /// The one method every progress source ends in: <paramref name="step"/> is a short label ("epoch 3", "fold 2/5"),
    /// <paramref name="done"/> of <paramref name="total"/> units are finished (total &lt;= 0: unknown),
    /// <paramref name="detail"/> an optional second line (e.g. "loss 0.412").
    /// </summary>
    public void Report(string step, int done, int total, string? detail = null)
    {
        lock (_gate)
        {
            _step = step ?? "";
            _detail = detail;
            _done = done;
            _total = total;
            CurrentHtml = Render();
            bool final = total > 0 && done >= total;
            bool first = _lastSent == TimeSpan.MinValue;
            var sinceLast = first ? TimeSpan.MaxValue : _clock.Elapsed - _lastSent;
            if (final || first || sinceLast >= MinInterval)
            {
                Send();
            }
            else if (!_pending)
            {
                // throttled: send this state later unless a newer report does it first, so a burst followed by a
                // long pause does not leave a stale display
                _pending = true;
                _flush ??= new Timer(_ => Flush());
                _flush.Change(MinInterval - sinceLast, Timeout.InfiniteTimeSpan);
            }
        }
    }

    void Flush()
    {
        try
        {
            lock (_gate)
                if (_pending && !_completed) Send();
        }
        catch (Exception)
        {
            // the cell may have finished meanwhile; a lost intermediate update is harmless
        }
    }

    /// <summary>The library's progress type (what BioXBridge's long-running calls take as IProgress&lt;ProgressReport&gt;).</summary>
    public void Report(ProgressReport value) => Report(value.Step, value.Done, value.Total, value.Detail);

    void IProgress<(string Step, int Done, int Total)>.Report((string Step, int Done, int Total) value) =>
        Report(value.Step, value.Done, value.Total);

    /// <summary>Marks the display finished (and sends the latest state, whatever the throttle says).</summary>
    public void Complete(string? message = null)
    {
        lock (_gate)
        {
            _completed = true;
            _flush?.Dispose();
            if (message is not null) _step = message;
            CurrentHtml = Render();
            Send();
        }
    }

    void Send()
    {
        _pending = false;
        _lastSent = _clock.Elapsed;
        UpdatesSent++;
        if (_display is not null)
            _display.Update(CurrentHtml);
        else
            Console.WriteLine($"[{Title}] {_step} {_done}/{(_total > 0 ? _total.ToString(CultureInfo.InvariantCulture) : "?")} ({FormatTime(_clock.Elapsed)}){(string.IsNullOrEmpty(_detail) ? "" : " " + _detail)}");
    }

    string Render()
    {
        var elapsed = _clock.Elapsed;
        double frac = _total > 0 ? Math.Clamp((double)_done / _total, 0, 1) : 0;
        string eta = !_completed && _total > 0 && _done > 0 && _done < _total
            ? " · eta " + FormatTime(TimeSpan.FromTicks((long)(elapsed.Ticks * (_total - _done) / (double)_done)))
            : "";
        string counts = _total > 0
            ? $"{_done}/{_total} ({(frac * 100).ToString("0", CultureInfo.InvariantCulture)}%)"
            : _done.ToString(CultureInfo.InvariantCulture);
        string bar = _total > 0
            ? $"<progress value=\"{_done}\" max=\"{_total}\" style=\"width:260px;vertical-align:middle\"></progress> "
            : "";
        string state = _completed ? " ✓" : "";
        return $"<div class=\"bxb-progress\" style=\"font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px\">"
             + $"<b>{Html.Encode(Title)}</b>{state} {Html.Encode(_step)}<br/>{bar}{counts} · {FormatTime(elapsed)}{eta}"
             + (string.IsNullOrEmpty(_detail) ? "" : $"<br/><span style=\"color:#555\">{Html.Encode(_detail)}</span>")
             + "</div>";
    }

    static string FormatTime(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
