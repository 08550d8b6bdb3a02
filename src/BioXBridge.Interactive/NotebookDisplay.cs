using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace BioXBridge.Interactive;

/// <summary>
/// One HTML output of the current cell that can be replaced in place.
/// <para>
/// Publishes DisplayedValueProduced / DisplayedValueUpdated with one display id. (In Microsoft.DotNet.Interactive
/// 1.0.0-beta.26120.1, <c>value.Display()</c> raises the display under one id and returns a DisplayedValue whose
/// <c>Update</c> uses another, so frontends append a new output instead of replacing it.)
/// </para>
/// </summary>
public sealed class NotebookDisplay
{
    readonly object _gate = new();
    KernelInvocationContext _context;

    NotebookDisplay(KernelInvocationContext context, string html)
    {
        _context = context;
        context.Publish(new DisplayedValueProduced(html, context.Command, Formatted(html), Id));
    }

    /// <summary>The display id (Jupyter's display_id) shared by the output and its updates.</summary>
    public string Id { get; } = Guid.NewGuid().ToString();

    /// <summary>Shows <paramref name="html"/> in the current cell; null outside a notebook (no kernel invocation context).</summary>
    public static NotebookDisplay? TryShowHtml(string html) =>
        KernelInvocationContext.Current is { } context ? new NotebookDisplay(context, html) : null;

    /// <summary>Shows <paramref name="html"/> in the current cell; throws outside a notebook.</summary>
    public static NotebookDisplay ShowHtml(string html) =>
        TryShowHtml(html) ?? throw new InvalidOperationException("No .NET Interactive kernel is running this code (KernelInvocationContext.Current is null).");

    /// <summary>Replaces the output's HTML. Works from other threads while the cell is running.</summary>
    public void Update(string html)
    {
        lock (_gate)
        {
            // a later cell may update a display made earlier: publish on the running cell's context when there is one
            if (KernelInvocationContext.Current is { IsComplete: false } current) _context = current;
            _context.Publish(new DisplayedValueUpdated(html, Id, _context.Command, Formatted(html)));
        }
    }

    static FormattedValue[] Formatted(string html) => new[] { new FormattedValue(HtmlFormatter.MimeType, html) };
}
