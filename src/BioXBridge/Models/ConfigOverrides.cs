using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BioXBridge.Models;

/// <summary>
/// A direction's <c>settings</c> for a port: fields of its configuration record (snake_case, e.g. NormWear's
/// <c>patch_time</c>) replaced on top of the size's defaults. The synthetic twins use it to keep a port's topology at a
/// cost a CPU affords (NormWear with larger patches); the record, overrides included, is part of every cached weight's
/// recipe.
/// </summary>
public static class ConfigOverrides
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The setting names a configuration record accepts.</summary>
    public static IReadOnlyList<string> Names(Type config) =>
        config.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
              .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToList();

    /// <summary>Throws naming <paramref name="field"/> if a setting is not a field of <paramref name="config"/>.</summary>
    public static void Check(Type config, JsonObject? settings, string field)
    {
        var names = Names(config);
        foreach (var (key, _) in settings ?? [])
            if (!names.Contains(key))
                throw new InvalidDataException($"field '{field}.{key}': not a setting of {config.Name}; it has {string.Join(", ", names)}");
    }

    public static T Apply<T>(T config, JsonObject? settings) where T : class
    {
        if (settings is null || settings.Count == 0) return config;
        Check(typeof(T), settings, "settings");
        var node = JsonSerializer.SerializeToNode(config, Json)!.AsObject();
        foreach (var (key, value) in settings) node[key] = value?.DeepClone();
        try { return node.Deserialize<T>(Json)!; }
        catch (JsonException e) { throw new InvalidDataException($"settings of {typeof(T).Name}: field '{e.Path?.TrimStart('$', '.')}': {e.Message}", e); }
    }
}
