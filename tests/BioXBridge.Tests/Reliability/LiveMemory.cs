using TorchSharp;

namespace BioXBridge.Tests.Reliability;

/// <summary>
/// What a leak would show: live TorchSharp tensors and the process's resident memory, taken after a full garbage
/// collection so that objects merely waiting for a collection do not read as leaked.
/// </summary>
public sealed record LiveMemory(long ThreadLiveTensors, long TotalTensors, long RssBytes)
{
    /// <summary>
    /// <see cref="DisposeScopeManager.Statistics"/>' live count is exact in TorchSharp 0.107 (created minus disposed, in
    /// scopes or not) but per thread, so a test that reads it must make and free its tensors on one thread; a tensor
    /// left to the finalizer is disposed on the finalizer's thread and so stays counted here, as a leak should.
    /// <see cref="torch.Tensor.TotalCount"/> is process-wide and shown beside it.
    /// </summary>
    public static LiveMemory Take()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new(DisposeScopeManager.Statistics.ThreadTotalLiveCount, torch.Tensor.TotalCount, Rss());
    }

    /// <summary>VmRSS of /proc/self/status: native libtorch memory included, which the managed heap's figures miss.</summary>
    private static long Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;   // "VmRSS:   123456 kB"
    }

    public override string ToString() =>
        $"{ThreadLiveTensors} live tensors on this thread, {TotalTensors} in the process, RSS {RssBytes / 1048576.0:F1} MiB";
}
