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
    /// </summary>
    public static int Load(nn.Module module, string safetensorsOrPt)
    {
        var (tensors, _, _) = CheckpointConverter.ReadStateDict(safetensorsOrPt);
        var target = module.state_dict();
        CheckpointConverter.Check(safetensorsOrPt, $"{module.GetName()}'s state dict", Expected(module),
            tensors.Select(t => (t.Key, t.Value.Shape, t.Value.DType)));
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (name, raw) in tensors)
            {
                var dst = target[name];
                var src = empty(raw.Shape, dst.dtype);
                src.bytes = raw.Data;
                dst.copy_(src);
            }
        }
        return tensors.Count;
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
