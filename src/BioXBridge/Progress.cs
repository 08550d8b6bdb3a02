namespace BioXBridge;

/// <summary>One update of a long step: the CLI draws it as a console bar, notebooks as a display updated in place.</summary>
public sealed record ProgressReport(string Step, int Done, int Total, string? Detail = null);
