using System.IO.Compression;
using BioXBridge.Pickling;

namespace BioXBridge.Models;

/// <summary>A tensor view on a storage in the archive (what torch._utils._rebuild_tensor_v2 describes); read on demand.</summary>
public sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>One <c>data/&lt;key&gt;</c> entry of a torch.save zip: element type and count.</summary>
public sealed record TorchStorageRef(string Key, string? DType, string StorageType, long Numel);

/// <summary>
/// Reads a PyTorch <c>torch.save</c> file (zip format, PyTorch ≥ 1.6) without Python and without needing the classes of
/// the objects in it: <c>data.pkl</c> is run by the shared <see cref="PickleMachine"/>, whose torch classes turn
/// tensors into <see cref="TorchTensorRef"/>s (their bytes are read only when asked for) and every other object into a
/// <see cref="PyObject"/> placeholder, so pickled config objects, optimizer states, numpy scalars or argparse namespaces next
/// to the weights are simply skipped. Only classes on an allow-list may be called (see <c>TorchClasses.IsRecord</c>): a
/// call of anything else (os.system, builtins.eval, subprocess.Popen) is refused by name, although nothing would run it.
/// Every failure is an <see cref="InvalidDataException"/> whose message starts with the file's path.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    private readonly ZipArchive zip;
    private readonly string prefix;
    public string Path { get; }
    /// <summary>The unpickled top-level object: usually a <see cref="PyDict"/>.</summary>
    public object? Root { get; }

    private TorchCheckpoint(string path, ZipArchive zip, string prefix, object? root) =>
        (Path, this.zip, this.prefix, Root) = (path, zip, prefix, root);

    /// <summary>True if the file starts like a zip archive (what torch.save writes since PyTorch 1.6).</summary>
    public static bool LooksLikeZip(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.Read(head) == 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04;
    }

    public static TorchCheckpoint Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var bytes = new byte[4];
        int n;
        using (var f = File.OpenRead(path)) n = f.Read(bytes, 0, 4);
        if (n >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
            throw new InvalidDataException($"{path}: saved in PyTorch's legacy (pre-1.6, non-zip) format, which is not supported; re-save it in Python with torch.save(obj, path) (the default zip format)");
        if (n < 4 || bytes[0] != 0x50 || bytes[1] != 0x4B || bytes[2] != 0x03 || bytes[3] != 0x04)
            throw new InvalidDataException($"{path}: not a PyTorch checkpoint (expected the zip format torch.save writes; the file starts with {Convert.ToHexString(bytes, 0, n)})");
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read, leaveOpen: false);
            var pkl = zip.Entries.Where(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                                 .OrderBy(e => e.FullName.Length).FirstOrDefault()
                      ?? throw new InvalidDataException("no data.pkl in the archive");
            var prefix = pkl.FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(prefix + "byteorder");
            if (order is not null)
            {
                using var r = new StreamReader(order.Open());
                var text = r.ReadToEnd().Trim();
                if (text != "little") throw new InvalidDataException($"byte order '{text}' is not supported (only little-endian)");
            }
            byte[] data;
            using (var s = pkl.Open()) data = ReadAll(s, pkl.Length);
            var root = PickleMachine.Load(new MemoryStream(data), data.Length, TorchClasses.Instance);
            return new TorchCheckpoint(path, zip, prefix, root);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            zip?.Dispose();
            throw Wrap(path, e);
        }
    }

    private static Exception Wrap(string path, Exception e) => e switch
    {
        PickleFailure pf => new InvalidDataException(
            $"{path}: corrupted or truncated PyTorch checkpoint (data.pkl{(pf.Field.Length > 0 ? $", while reading {pf.Field}" : "")}: {pf.Message})", pf),
        InvalidDataException ide when ide.Message.StartsWith(path, StringComparison.Ordinal) => ide,
        InvalidDataException or IOException or EndOfStreamException or ArgumentException or InvalidCastException
            or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or FormatException
            or NotSupportedException or InvalidOperationException or KeyNotFoundException
            => new InvalidDataException($"{path}: corrupted or truncated PyTorch checkpoint ({e.Message})", e),
        _ => e,
    };

    private static byte[] ReadAll(Stream s, long expected)
    {
        if (expected > Array.MaxLength) throw new InvalidDataException($"entry of {expected} bytes is too large");
        var buf = new byte[expected];
        int read = 0;
        while (read < buf.Length)
        {
            int n = s.Read(buf, read, buf.Length - read);
            if (n == 0) throw new EndOfStreamException($"entry ends after {read} of {expected} bytes");
            read += n;
        }
        return buf;
    }

    /// <summary>Reads the bytes of one tensor (contiguous, little-endian).</summary>
    public RawTensor ReadTensor(TorchTensorRef t)
    {
        try
        {
            var dtype = t.Storage.DType ?? throw new InvalidDataException($"storage type {t.Storage.StorageType} is not supported");
            int es = RawTensor.ElementSize(dtype);
            var entry = zip.GetEntry(prefix + "data/" + t.Storage.Key) ?? throw new InvalidDataException($"storage data/{t.Storage.Key} is missing from the archive");
            if (entry.Length < t.Storage.Numel * es)
                throw new InvalidDataException($"storage data/{t.Storage.Key} holds {entry.Length} bytes, expected {t.Storage.Numel * es}");
            byte[] storage;
            using (var s = entry.Open()) storage = ReadAll(s, entry.Length);
            long numel = t.Shape.Aggregate(1L, (a, b) => a * b);
            var output = new byte[numel * es];
            if (numel == 0) return new RawTensor(dtype, t.Shape, output);
            // bounds: the furthest element the view touches must lie in the storage
            long last = t.Offset + t.Shape.Select((d, i) => (d - 1) * t.Stride[i]).Sum();
            if (t.Offset < 0 || last >= t.Storage.Numel || t.Stride.Any(s => s < 0))
                throw new InvalidDataException($"tensor view (offset {t.Offset}, shape {RawTensor.FormatShape(t.Shape)}) exceeds its storage of {t.Storage.Numel} elements");
            if (IsContiguous(t.Shape, t.Stride))
            {
                Buffer.BlockCopy(storage, checked((int)(t.Offset * es)), output, 0, output.Length);
                return new RawTensor(dtype, t.Shape, output);
            }
            var index = new long[t.Shape.Length];
            for (long k = 0; k < numel; k++)
            {
                long src = t.Offset;
                for (int d = 0; d < index.Length; d++) src += index[d] * t.Stride[d];
                Buffer.BlockCopy(storage, checked((int)(src * es)), output, checked((int)(k * es)), es);
                for (int d = index.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < t.Shape[d]) break;
                    index[d] = 0;
                }
            }
            return new RawTensor(dtype, t.Shape, output);
        }
        catch (Exception e)
        {
            throw Wrap(Path, e);
        }
    }

    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public void Dispose() => zip.Dispose();

    internal static string? DTypeOfStorage(string storageType) => storageType switch
    {
        "FloatStorage" => "F32", "DoubleStorage" => "F64", "HalfStorage" => "F16", "BFloat16Storage" => "BF16",
        "LongStorage" => "I64", "IntStorage" => "I32", "ShortStorage" => "I16", "CharStorage" => "I8",
        "ByteStorage" => "U8", "BoolStorage" => "BOOL", _ => null,
    };

    internal static string? DTypeOfTorchDtype(string name) => name switch
    {
        "float32" or "float" => "F32", "float64" or "double" => "F64", "float16" or "half" => "F16", "bfloat16" => "BF16",
        "int64" or "long" => "I64", "int32" or "int" => "I32", "int16" or "short" => "I16", "int8" => "I8",
        "uint8" => "U8", "bool" => "BOOL", _ => null,
    };

    /// <summary>
    /// torch.save's classes: storages arrive as persistent ids, tensors as <c>torch._utils._rebuild_tensor*</c> calls on
    /// them. Python-2 str is latin-1 text here, since a checkpoint's strings are names (keys, dtypes), never array data.
    /// </summary>
    private sealed class TorchClasses : PickleClasses
    {
        public static readonly TorchClasses Instance = new();
        public override bool Python2StrAsBytes => false;

        public override object? Persistent(object? pid)
        {
            // torch.save: ("storage", <class torch.FloatStorage>, key, location, numel)
            if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage")
                throw new InvalidDataException($"unknown persistent id in data.pkl: {Describe(pid)}");
            var type = t[1] switch { PyGlobal g => g.Name, string s => s, var o => o?.ToString() ?? "" };
            var key = t[2]?.ToString() ?? throw new InvalidDataException("storage without key");
            return new TorchStorageRef(key, DTypeOfStorage(type), type, Convert.ToInt64(t[4]));
        }

        public override object? Call(PyGlobal g, object?[] args)
        {
            switch (g.Module, g.Name)
            {
                case ("torch._utils", "_rebuild_tensor" or "_rebuild_tensor_v2" or "_rebuild_tensor_v3"):
                {
                    var storage = args.FirstOrDefault() as TorchStorageRef ?? throw new InvalidDataException($"{g}: first argument is not a storage");
                    if (g.Name == "_rebuild_tensor_v3" && args.Length > 6 && args[6] is PyGlobal dt)
                        storage = storage with { DType = DTypeOfTorchDtype(dt.Name) ?? storage.DType };
                    return new TorchTensorRef(storage, Convert.ToInt64(args[1]), Longs(args[2]), Longs(args[3]));
                }
                case ("torch._utils", "_rebuild_parameter" or "_rebuild_parameter_with_state"):
                    return args.FirstOrDefault();
                // protocols 0 and 1 pickle an object as copyreg._reconstructor(cls, object, None)
                case ("copyreg" or "copy_reg", "_reconstructor") when args.FirstOrDefault() is PyGlobal cls:
                    return Call(cls, []);
                case var _ when IsRecord(g):
                    return base.Call(g, args);
                default:
                    throw new InvalidDataException($"data.pkl calls {g}, which is not on the checkpoint reader's allow-list " +
                        "(tensors, dicts, argparse.Namespace, numpy scalars and dtypes, torch.Size, model config classes named *Config)");
            }
        }

        /// <summary>
        /// What real checkpoints carry beside the weights and the reader may keep as an inert record: bytes and dicts,
        /// argparse.Namespace (LaBraM's and NormWear's training arguments), numpy scalars and dtypes (hyper-parameters
        /// saved as np.float64), torch.Size, and configuration objects, i.e. a class whose name ends in <c>Config</c>
        /// (hubert_ecg.HuBERTECGConfig, transformers' *Config, a training script's own): data classes by the universal
        /// naming of the model repositories, never a function that does something when called.
        /// </summary>
        private static bool IsRecord(PyGlobal g) => (g.Module, g.Name) switch
        {
            ("_codecs", "encode") or ("builtins" or "__builtin__", "bytes" or "bytearray" or "dict")
                or ("collections", "OrderedDict") => true,
            ("argparse", "Namespace") or ("torch", "Size") or ("numpy", "dtype") => true,
            ("numpy.core.multiarray" or "numpy._core.multiarray", "scalar") => true,
            (_, var name) => name.Length > "Config".Length && name.EndsWith("Config", StringComparison.Ordinal),
        };

        public override string Describe(object? o) => o switch
        {
            TorchTensorRef => "a tensor",
            TorchStorageRef s => $"the storage {s.Key}",
            _ => base.Describe(o),
        };

        private static long[] Longs(object? o) => o is object?[] a ? a.Select(Convert.ToInt64).ToArray()
            : throw new InvalidDataException("tensor shape/stride is not a tuple");
    }
}
