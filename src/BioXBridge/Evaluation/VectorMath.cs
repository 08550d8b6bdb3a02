using System.Numerics;
using System.Runtime.InteropServices;

namespace BioXBridge.Evaluation;

/// <summary>SIMD dot product and axpy shared by the probes and CKA (two accumulators hide the add latency).</summary>
internal static class VectorMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
        int v = 0;
        for (; v + 1 < va.Length; v += 2) { acc0 += va[v] * vb[v]; acc1 += va[v + 1] * vb[v + 1]; }
        if (v < va.Length) acc0 += va[v] * vb[v];
        double s = Vector.Sum(acc0 + acc1);
        for (int i = va.Length * Vector<double>.Count; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var va = new Vector<double>(alpha);
        for (int v = 0; v < vx.Length; v++) vy[v] += va * vx[v];
        for (int i = vx.Length * Vector<double>.Count; i < x.Length; i++) y[i] += alpha * x[i];
    }
}
