namespace BioXBridge.Models;

/// <summary>A dense little-endian tensor as raw bytes: safetensors dtype name (F32, I64, …), shape, contiguous data.</summary>
public sealed record RawTensor(string DType, long[] Shape, byte[] Data)
{
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new InvalidDataException($"unsupported tensor dtype '{dtype}'"),
    };

    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
