using BioXBridge.Data;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>Moves windows to tensors and runs frozen models over them in batches, keeping results on the CPU.</summary>
public static class Batches
{
    /// <summary>(N, channels, samples) float32 on the CPU.</summary>
    public static Tensor ToTensor(SignalWindows w) => tensor(w.Values, [w.Count, w.Channels, w.Samples]);

    /// <summary>Applies <paramref name="map"/> to batches of <paramref name="data"/> without gradients; concatenates on the CPU.</summary>
    public static Tensor Map(Tensor data, int batchSize, Device device, Func<Tensor, Tensor> map)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < data.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var x = data.narrow(0, start, Math.Min(batchSize, data.shape[0] - start)).to(device);
            parts.Add(map(x).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>Like <see cref="Map"/> for a function with several outputs (e.g. every pooled layer of one pass).</summary>
    public static Tensor[] MapMany(Tensor data, int batchSize, Device device, Func<Tensor, Tensor[]> map)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor[]>();
        for (long start = 0; start < data.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var x = data.narrow(0, start, Math.Min(batchSize, data.shape[0] - start)).to(device);
            parts.Add(map(x).Select(t => t.cpu().MoveToOuterDisposeScope()).ToArray());
        }
        var result = Enumerable.Range(0, parts[0].Length).Select(i => cat(parts.Select(p => p[i]).ToList(), 0)).ToArray();
        foreach (var t in parts.SelectMany(p => p)) t.Dispose();
        return result;
    }

    /// <summary>Rows of a 2-D tensor as double arrays (for the pure C# probes and CKA).</summary>
    public static double[][] ToRows(Tensor matrix)
    {
        var flat = matrix.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        int n = (int)matrix.shape[0], d = (int)matrix.shape[1];
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
    }

    public static int[] ArgMax(Tensor logits)
    {
        using var scope = NewDisposeScope();
        return logits.argmax(1).to_type(ScalarType.Int32).data<int>().ToArray();
    }
}
