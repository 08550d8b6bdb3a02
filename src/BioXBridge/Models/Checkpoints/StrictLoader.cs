using TorchSharp;
using static TorchSharp.torch;

namespace BioXBridge.Models;

/// <summary>
/// Loads weights into a module all or nothing: every tensor of the module must be in the file with the same shape and
/// dtype, and the file may hold nothing else. All problems are reported together in one InvalidDataException (file
/// name, then one line per key with expected vs found shape); no tensor is copied until everything has been checked.
/// </summary>
public static class StrictLoader
{
    /// <summary>
    /// Loads a safetensors file, or a torch.save zip holding a flat state dict (or one under
    /// model/module/model_state_dict/state_dict) with the module's key names. Returns the number of tensors loaded.
    /// <paramref name="adapt"/> is the only way a tensor of another shape gets in: called with the key, the file's
    /// tensor and the module's, it returns the values to load instead (of the module's shape) or null to refuse.
    /// </summary>
    public static int Load(nn.Module module, string safetensorsOrPt, Func<string, Tensor, Tensor, Tensor?>? adapt = null)
    {
        var (tensors, _, _) = CheckpointConverter.ReadStateDict(safetensorsOrPt);
        var target = module.state_dict();
        using var scope = NewDisposeScope();
        var adapted = new Dictionary<string, Tensor>();
        if (adapt is not null)
            foreach (var (name, raw) in tensors)
                if (target.TryGetValue(name, out var dst) && !dst.shape.SequenceEqual(raw.Shape) && adapt(name, FromRaw(raw, dst.dtype), dst) is Tensor t)
                    adapted[name] = t.shape.SequenceEqual(dst.shape) ? t
                        : throw new InvalidOperationException($"adapting {name} gave {RawTensor.FormatShape(t.shape)}, not {RawTensor.FormatShape(dst.shape)}");
        CheckpointConverter.Check(safetensorsOrPt, $"{module.GetName()}'s state dict", Expected(module),
            tensors.Select(t => (t.Key, adapted.TryGetValue(t.Key, out var a) ? a.shape : t.Value.Shape, t.Value.DType)));
        using (no_grad())
        {
            foreach (var (name, raw) in tensors)
                target[name].copy_(adapted.TryGetValue(name, out var a) ? a : FromRaw(raw, target[name].dtype));
        }
        return tensors.Count;
    }

    private static Tensor FromRaw(RawTensor raw, ScalarType dtype)
    {
        var t = empty(raw.Shape, dtype);
        t.bytes = raw.Data;
        return t;
    }

    /// <summary>The module's tensors (parameters and buffers) as manifest entries: name, shape, safetensors dtype.</summary>
    public static List<ExpectedTensor> Expected(nn.Module module) =>
        module.state_dict().Select(kv => new ExpectedTensor(kv.Key, kv.Value.shape, DTypeName(kv.Value.dtype))).ToList();

    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32", ScalarType.Float64 => "F64", ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64", ScalarType.Int32 => "I32", ScalarType.Int16 => "I16", ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8", ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"dtype {t} has no safetensors name here"),
    };
}
