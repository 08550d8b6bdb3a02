using BioXBridge.Tests.Cli;
using Xunit;

// Tests that run the library in this process share libtorch's global generator, its thread count and this process's
// memory counters, so they run one after another in the assembly's one default collection. Tests that drive the CLI
// as child processes share none of that, so they form a second collection that runs beside the first: on two cores
// both stay busy instead of one idling while the other waits for a child process.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace BioXBridge.Tests;

/// <summary>
/// The CLI as child processes: sweeps, kills, Slurm, `run`, determinism across processes. One after another within the
/// collection, since the kill tests time their kills against a known load; the shipped rank-smoke sweep is run once
/// when the collection starts, as the numbers every other way of running it must reproduce.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ChildProcessCollection : ICollectionFixture<RankSmoke>
{
    public const string Name = "child processes";
}

/// <summary>
/// Tests that count this process's live tensors and resident memory: they run alone, after both other collections,
/// so nothing else allocates in the process while they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
