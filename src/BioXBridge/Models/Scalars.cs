using System.Collections.Concurrent;
using TorchSharp;

namespace BioXBridge.Models;

/// <summary>
/// Scalar constants that live for the whole process. TorchSharp 0.107 turns a <c>double</c> operand (<c>x * 0.5</c>) into
/// a temporary <see cref="Scalar"/> with a finalizer and hands its raw handle to native code without keeping it alive,
/// so a garbage collection triggered by another thread during the call can free it mid-operation (seen as NaN losses
/// under load). Every constant used on a forward, loss or optimiser step comes from here instead: created once,
/// never finalized.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Cache = new();

    public static Scalar Of(double value) => Cache.GetOrAdd(value, v => v.ToScalar());
}
