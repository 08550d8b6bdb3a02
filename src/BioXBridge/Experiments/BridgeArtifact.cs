using System.Security.Cryptography;
using System.Text.Json;
using BioXBridge.Bridge;
using BioXBridge.Data;
using BioXBridge.Evaluation;
using BioXBridge.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace BioXBridge.Experiments;

/// <summary>
/// A trained bridge as something a user can apply: <c>bridge.safetensors</c> (A, B, P) and <c>bridge.json</c> (schema
/// <c>bioxbridge.bridge/1</c>): the resolved direction, positions, the module's shape, where the two frozen models'
/// weights came from and a hash of each model's state dict, so the bridge is only ever applied between the models it
/// was trained between.
/// </summary>
public sealed record BridgeArtifact
{
    public const string WeightsFile = "bridge.safetensors", ConfigFile = "bridge.json";

    public string Schema { get; init; } = "bioxbridge.bridge/1";
    public required DirectionConfig Direction { get; init; }
    public required int Seed { get; init; }
    public required int InputPosition { get; init; }
    public required int OutputPosition { get; init; }
    public required BridgeConfig Bridge { get; init; }
    public required string[] ClassNames { get; init; }
    /// <summary>Role (<c>new_encoder</c>, <c>teacher</c>) → where the weights came from, as in the run record.</summary>
    public required IReadOnlyDictionary<string, string> Weights { get; init; }
    /// <summary>SHA-256 over each frozen model's state dict (names, shapes, values) as the bridge saw it.</summary>
    public required string NewEncoderSha256 { get; init; }
    public required string TeacherSha256 { get; init; }

    /// <summary>Writes both files of a seed's bridge into <paramref name="folder"/> (a run folder being staged).</summary>
    public static void Write(string folder, ExperimentContext ctx, SeedRun run)
    {
        var model = run.Bridge.Model;
        model.Bridge.save_safetensors(Path.Combine(folder, WeightsFile));
        var artifact = new BridgeArtifact
        {
            Direction = ctx.Config, Seed = run.Record.Seed, InputPosition = model.InputPosition, OutputPosition = model.OutputPosition,
            Bridge = run.Bridge.Config, ClassNames = run.Record.ClassNames, Weights = ctx.Weights.ToDictionary(),
            NewEncoderSha256 = StateHash(ctx.NewEncoder), TeacherSha256 = StateHash(ctx.Teacher),
        };
        File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(artifact, DirectionFiles.Json));
    }

    public static BridgeArtifact Read(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no bridge artifact here (a seed's run folder holds {ConfigFile} and {WeightsFile})", path);
        try { return JsonSerializer.Deserialize<BridgeArtifact>(File.ReadAllText(path), DirectionFiles.Json) ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: field '{e.Path?.TrimStart('$', '.')}': {e.Message}", e); }
    }

    /// <summary>
    /// Applies the bridge in <paramref name="folder"/> to the new-modality windows of one split: rebuilds both frozen
    /// models from the recorded weight sources (never training one), refuses them if their hashes differ from the
    /// recorded ones, and returns one prediction per window.
    /// </summary>
    public static int[] Predict(string folder, PairedWindows windows, PretrainedStore? store = null, Device? device = null)
    {
        var a = Read(folder);
        var cfg = a.Direction;
        store ??= new PretrainedStore();
        device ??= CPU;
        using var x = FrozenModels.ModelInputs(ModelZoo.Get(cfg.New.Model), windows.Modality(cfg.New.Modality));
        var source = Path.Combine(folder, ConfigFile);

        using var newEncoder = (LayeredEncoder)Rebuild(source, "new_encoder", cfg.New, a.Weights, x.shape[1..], store, m => m);
        Verify(source, "new encoder", newEncoder, a.NewEncoderSha256);
        var oldEntry = ModelZoo.Get(cfg.Old.Model);
        var oldShape = InputShape(oldEntry, windows.Modality(cfg.Old.Modality));
        using var teacher = (Classifier)Rebuild(source, "teacher", cfg.Old, a.Weights, oldShape, store, m => new Classifier((LayeredEncoder)m, a.ClassNames.Length));
        Verify(source, "teacher", teacher, a.TeacherSha256);

        using var bridge = new PrototypeBridge(a.Bridge);
        StrictLoader.Load(bridge, Path.Combine(folder, WeightsFile));
        newEncoder.to(device); teacher.to(device); bridge.to(device);
        var model = new BridgedModel(newEncoder, a.InputPosition, bridge, teacher, a.OutputPosition);
        using var pooled = BridgeTrainer.CacheInputs(model, x, device);
        model.Bridge.eval();
        return Batches.ArgMax(Batches.Map(pooled, 64, device, model.LogitsFromPooled));
    }

    /// <summary>SHA-256 over a module's state dict in key order: names, shapes and raw values.</summary>
    public static string StateHash(nn.Module module)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();   // the detached, CPU and contiguous copies, not left to the finalizer
            h.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}:{string.Join(',', t.shape)}:{t.dtype};"));
            h.AppendData(t.detach().cpu().contiguous().bytes);
        }
        return "sha256:" + Convert.ToHexStringLower(h.GetHashAndReset());
    }

    // the old model's input shape without transforming every window (one is enough)
    private static long[] InputShape(ZooEntry entry, SignalWindows w)
    {
        using var scope = NewDisposeScope();
        var one = tensor(w.Values.AsSpan(0, w.WindowLength).ToArray(), [1, .. w.Shape[1..]]);
        return entry.Input(one).shape[1..];
    }

    private static nn.Module Rebuild(string source, string role, RoleSpec spec, IReadOnlyDictionary<string, string> weights, long[] inputShape,
                                     PretrainedStore store, Func<nn.Module, nn.Module> wrap)
    {
        if (!weights.TryGetValue(role, out var from)) throw new InvalidDataException($"{source}: field 'weights.{role}' missing");
        if (from.StartsWith(FrozenModels.Initialised, StringComparison.Ordinal)) manual_seed(long.Parse(from[FrozenModels.Initialised.Length..]));
        var module = wrap(ModelZoo.Get(spec.Model).Build(spec.Size, inputShape, spec.Settings));
        var origin = from.Split(' ')[0];
        var name = origin[(origin.IndexOf(':') + 1)..];
        if (origin.StartsWith("file:", StringComparison.Ordinal))
        {
            if (module is Classifier c && !WeightFiles.IsTeacher(name)) throw new InvalidDataException($"{source}: the teacher came from {name}, which holds no head");
            if (module is Classifier t) WeightFiles.LoadTeacher(t, name);
            else WeightFiles.LoadEncoder((LayeredEncoder)module, name, spec);
        }
        else if (!from.StartsWith(FrozenModels.Initialised, StringComparison.Ordinal) && store.TryLoad(module, name) is null)
            throw new FileNotFoundException($"{source}: the {role.Replace('_', ' ')}'s weights {name} are in neither {store.CacheDirectory} nor the library; " +
                                            "run the direction once on this machine to train them", name);
        return module;
    }

    private static void Verify(string source, string what, nn.Module module, string expected)
    {
        var found = StateHash(module);
        if (found != expected)
            throw new InvalidDataException($"{source}: the {what} loaded now has state-dict hash {found}, but the bridge was trained against {expected}; " +
                                           "refusing to apply it between other models");
    }
}
