using System.Text.Json.Serialization;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Model;

/// <summary>
/// Base of every map in the spec: remembers where the map and each of its keys were written, so
/// that validation (and later, deploy-time errors) can point at the exact line and column.
/// </summary>
public abstract class SpecObject
{
    [JsonIgnore]
    public SourceLocation Location { get; set; }

    /// <summary>The document path of this object, e.g. <c>services.web.health</c>.</summary>
    [JsonIgnore]
    public string SpecPath { get; set; } = "";

    [JsonIgnore]
    public Dictionary<string, SourceLocation> KeyLocations { get; } = new(StringComparer.Ordinal);

    public bool Has(string key) => KeyLocations.ContainsKey(key);

    public SourceLocation LocationOf(string key) =>
        KeyLocations.TryGetValue(key, out var location) ? location : Location;

    public string PathOf(string key) => SpecPath.Length == 0 ? key : $"{SpecPath}.{key}";
}
