using System.Text.Json;
using System.Text.Json.Nodes;

namespace BioXBridge.Experiments;

/// <summary>
/// A sweep as data (<c>configs/sweeps/NAME.json</c>, schema <c>configs/schema/sweep.schema.json</c>): a base direction
/// with overrides, the seeds, and groups of axes over any direction field. A group is the grid of its axes; the sweep
/// is the union of the groups' grids, so the paper's ablations (rank alone, prototypes alone, pair fraction alone, the
/// 3×3 positions) are four groups of one file. <see cref="SweepPlan"/> turns it into points.
/// </summary>
public sealed record SweepFile
{
    public const string SchemaId = "bioxbridge.sweep/1", SchemaFile = "sweep.schema.json";
    public string Schema { get; init; } = SchemaId;
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>A shipped direction or a direction file (a relative path is read next to the sweep file first).</summary>
    public required string Direction { get; init; }
    /// <summary>Overrides of the base direction, <c>"bridge.epochs": 5</c>, applied before any axis.</summary>
    public Dictionary<string, JsonNode?> Set { get; init; } = new();
    public int[] Seeds { get; init; } = [0];
    public required List<SweepGroup> Groups { get; init; }
    /// <summary>Where the file was read from (for relative direction paths and error messages).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string Source { get; init; } = "(sweep)";

    /// <summary>The base direction with <see cref="Set"/> applied.</summary>
    public DirectionConfig BaseConfig()
    {
        var sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Source)) ?? ".", Direction);
        var direction = !File.Exists(Direction) && File.Exists(sibling) ? sibling : Direction;
        try { return DirectionFiles.Load(direction, Assignments(Set)); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException)
        {
            throw new InvalidDataException($"{Source}: field 'direction' or 'set': {e.Message}", e);
        }
    }

    /// <summary><c>field=json</c> assignments in the syntax of <see cref="DirectionFiles.Set"/>.</summary>
    public static IEnumerable<string> Assignments(IEnumerable<KeyValuePair<string, JsonNode?>> values) =>
        values.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString() ?? "null"}");

    /// <summary>Names of the shipped sweeps.</summary>
    public static IReadOnlyList<string> Names() => DirectionFiles.Resources("sweeps.");

    /// <summary>A shipped sweep by name or a sweep file by path, checked against the schema.</summary>
    public static SweepFile Load(string nameOrPath)
    {
        string text, source;
        if (File.Exists(nameOrPath)) (text, source) = (File.ReadAllText(nameOrPath), nameOrPath);
        else if (DirectionFiles.Resource("sweeps." + nameOrPath + ".json") is string shipped) (text, source) = (shipped, $"configs/sweeps/{nameOrPath}.json");
        else throw new FileNotFoundException($"{nameOrPath}: no such sweep file nor shipped sweep ({string.Join(", ", Names())})", nameOrPath);
        return Parse(text, source);
    }

    public static SweepFile Parse(string text, string source)
    {
        var node = DirectionFiles.ParseNode(text, source, "a sweep object");
        DirectionFiles.Validate(node, JsonSchema.Value, SchemaFile, source);
        SweepFile sweep;
        try { sweep = node.Deserialize<SweepFile>(DirectionFiles.Json) ?? throw new InvalidDataException($"{source}: empty sweep"); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: field '{e.Path?.TrimStart('$', '.')}': {e.Message}", e); }
        var groups = sweep.Groups.GroupBy(g => g.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (groups.Count > 0) throw new InvalidDataException($"{source}: field 'groups': group name '{groups[0]}' appears twice; expected unique names");
        return sweep with { Source = source };
    }

    public string ToJson() => JsonSerializer.Serialize(this, DirectionFiles.Json);

    private static readonly Lazy<Json.Schema.JsonSchema> JsonSchema = new(() => DirectionFiles.BuildSchema(SchemaFile));
}

/// <summary>One grid of a sweep: every combination of its axes' values (the first axis varies slowest).</summary>
public sealed record SweepGroup
{
    public required string Name { get; init; }
    public required Dictionary<string, JsonNode?[]> Axes { get; init; }

    public IEnumerable<KeyValuePair<string, JsonNode?>[]> Grid() =>
        Axes.Aggregate((IEnumerable<KeyValuePair<string, JsonNode?>[]>)[[]],
            (combos, axis) => combos.SelectMany(c => axis.Value.Select(v => c.Append(new KeyValuePair<string, JsonNode?>(axis.Key, v)).ToArray())));
}
