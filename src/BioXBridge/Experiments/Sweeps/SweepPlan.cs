using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Experiments;

/// <summary>
/// One training of a sweep: a fully resolved direction config and a seed. <see cref="Id"/> hashes both, so the same
/// training planned by two groups (the configured rank at all pairs is in the rank and the prototypes ablation) is one
/// point, and a changed config is never mistaken for a finished one. Positions given as <c>first</c>, <c>middle</c> or
/// <c>last</c> stay symbolic (<see cref="Input"/>, <see cref="Output"/>) until the models' block counts are known.
/// </summary>
public sealed record SweepPoint
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required string[] Groups { get; init; }
    /// <summary>Axis field → value as JSON text, for tables (<c>bridge.rank</c> → <c>4</c>).</summary>
    public required SortedDictionary<string, string> Values { get; init; }
    public required int Seed { get; init; }
    public required DirectionConfig Config { get; init; }
    public string? Input { get; init; }
    public string? Output { get; init; }
    /// <summary>Points with one key share frozen models, cached features and selected positions (<see cref="ExperimentContext.SharedKey"/>).</summary>
    public required string SharedKey { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string Label => string.Join(" ", Values.Select(v => $"{v.Key}={v.Value.Trim('"')}")) + $" seed={Seed}";

    /// <summary>The config with symbolic positions resolved: m over new blocks 1..M, l over old blocks 0..L−1.</summary>
    public DirectionConfig Resolve(int newBlocks, int oldBlocks) => Input is null && Output is null ? Config : Config with
    {
        Positions = Config.Positions with
        {
            Input = Input is null ? Config.Positions.Input : SweepPlan.Third(Input, 1, newBlocks),
            Output = Output is null ? Config.Positions.Output : SweepPlan.Third(Output, 0, oldBlocks - 1),
        },
    };
}

/// <summary>Schema <c>bioxbridge.sweep-plan/1</c>: the sweep as written, its points, and a hash of them all.</summary>
public sealed record SweepPlan
{
    public const string SchemaId = "bioxbridge.sweep-plan/1";
    public static readonly string[] Symbolic = ["first", "middle", "last"];
    public string Schema { get; init; } = SchemaId;
    public required SweepFile Sweep { get; init; }
    /// <summary>Hash of every point id in order: one sweep folder holds one plan.</summary>
    public required string Hash { get; init; }
    /// <summary>The base direction with the sweep's overrides: what every point varies.</summary>
    public required DirectionConfig Base { get; init; }
    public required IReadOnlyList<SweepPoint> Points { get; init; }
    /// <summary>Group name → its points' ids in grid order (a shared point is in several).</summary>
    public required Dictionary<string, string[]> Members { get; init; }

    /// <summary>
    /// Every point of <paramref name="sweep"/>: each group's grid applied to the sweep's direction (or to
    /// <paramref name="direction"/>, a config already loaded) with the sweep's overrides, checked like a direction file,
    /// and crossed with the seeds.
    /// </summary>
    public static SweepPlan Of(SweepFile sweep, DirectionConfig? direction = null)
    {
        var root = JsonSerializer.SerializeToNode(direction ?? sweep.BaseConfig(), DirectionFiles.Json)!;
        if (direction is not null) foreach (var a in SweepFile.Assignments(sweep.Set)) DirectionFiles.Set(root, a, sweep.Source);
        var baseConfig = DirectionFiles.Parse(root, sweep.Source);
        var points = new Dictionary<string, SweepPoint>();
        var members = sweep.Groups.ToDictionary(g => g.Name, _ => new List<string>());
        foreach (var group in sweep.Groups)
            foreach (var combo in group.Grid())
            {
                var symbolic = combo.Where(kv => kv.Key is "positions.input" or "positions.output" && kv.Value is JsonValue v && v.TryGetValue<string>(out _)).ToList();
                foreach (var (field, value) in symbolic)
                    if (!Symbolic.Contains(value!.GetValue<string>()))
                        throw new InvalidDataException($"{sweep.Source}: group '{group.Name}', field '{field}': '{value}' is not a block; expected an integer or one of {string.Join(", ", Symbolic)}");
                var node = root.DeepClone();
                DirectionConfig cfg;
                try
                {
                    foreach (var a in SweepFile.Assignments(combo.Except(symbolic))) DirectionFiles.Set(node, a, sweep.Source);
                    cfg = DirectionFiles.Parse(node, $"{sweep.Source}: group '{group.Name}'");
                }
                catch (ArgumentException e) { throw new InvalidDataException($"{sweep.Source}: group '{group.Name}': {e.Message}", e); }
                string? input = Named(symbolic, "positions.input"), output = Named(symbolic, "positions.output");
                foreach (var seed in sweep.Seeds)
                {
                    var id = Sha(DirectionFiles.ToJson(cfg) + $"\n{input}\n{output}\n{seed}");
                    members[group.Name].Add(id);
                    var values = new SortedDictionary<string, string>(combo.ToDictionary(kv => kv.Key, kv => kv.Value?.ToJsonString() ?? "null"), StringComparer.Ordinal);
                    points[id] = points.TryGetValue(id, out var p)
                        ? p with { Groups = [.. p.Groups, group.Name], Values = Merge(p.Values, values) }
                        : new SweepPoint { Index = points.Count, Id = id, Groups = [group.Name], Values = values, Seed = seed, Config = cfg,
                                           Input = input, Output = output, SharedKey = ExperimentContext.SharedKey(cfg) };
                }
            }
        var list = points.Values.OrderBy(p => p.Index).ToList();
        return new SweepPlan { Sweep = sweep, Base = baseConfig, Points = list, Members = members.ToDictionary(m => m.Key, m => m.Value.ToArray()), Hash = Sha(string.Join("\n", list.Select(p => p.Id))) };
    }

    /// <summary>first, middle or last of <paramref name="first"/>..<paramref name="last"/> (the paper's {first, middle, last}).</summary>
    public static int Third(string which, int first, int last) => which switch
    {
        "first" => first,
        "middle" => (first + last + 1) / 2,
        "last" => last,
        _ => throw new ArgumentOutOfRangeException(nameof(which), which, $"expected one of {string.Join(", ", Symbolic)}"),
    };

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    public string ToJson() => JsonSerializer.Serialize(this, DirectionFiles.Json);

    public static SweepPlan FromJson(string text, string source)
    {
        try
        {
            var plan = JsonSerializer.Deserialize<SweepPlan>(text, DirectionFiles.Json) ?? throw new InvalidDataException($"{source}: empty sweep plan");
            if (plan.Schema != SchemaId) throw new InvalidDataException($"{source}: schema '{plan.Schema}', expected '{SchemaId}'");
            return plan;
        }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not a sweep plan ({e.Message})", e); }
    }

    private static string? Named(IEnumerable<KeyValuePair<string, JsonNode?>> symbolic, string field) =>
        symbolic.Where(kv => kv.Key == field).Select(kv => kv.Value!.GetValue<string>()).FirstOrDefault();

    // a point two groups share shows the axes of both (the rank group's rank and the prototypes group's prototypes)
    private static SortedDictionary<string, string> Merge(SortedDictionary<string, string> a, SortedDictionary<string, string> b)
    {
        var merged = new SortedDictionary<string, string>(a, StringComparer.Ordinal);
        foreach (var (k, v) in b) merged.TryAdd(k, v);
        return merged;
    }
}
