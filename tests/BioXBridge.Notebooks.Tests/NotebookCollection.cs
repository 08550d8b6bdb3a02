using Xunit;

// Notebook runs change the process working directory and the process-wide .NET Interactive formatters, so nothing in
// this assembly runs in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace BioXBridge.Notebooks.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "Notebooks";
}
