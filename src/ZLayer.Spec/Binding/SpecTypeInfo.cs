using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Binding;

/// <summary>One key of a spec map: the property behind it and the rules attached to it.</summary>
public sealed record SpecKeyInfo(
    string Key,
    PropertyInfo Property,
    IReadOnlyList<string> Aliases,
    bool Required,
    IReadOnlyList<string>? Variants,
    bool AllowQuotedNumber,
    string? Doc)
{
    public Type ValueType => Property.PropertyType;

    public bool InVariant(string? variant) => Variants is null || (variant is not null && Variants.Contains(variant));
}

/// <summary>
/// The keys of a spec map type, read once by reflection. The binder and the JSON Schema writer both
/// read this, so the accepted format and the published schema cannot drift apart.
/// </summary>
public sealed class SpecTypeInfo
{
    private static readonly ConcurrentDictionary<Type, SpecTypeInfo> Cache = new();

    private SpecTypeInfo(Type type)
    {
        Type = type;
        IsOpen = type.GetCustomAttribute<SpecOpenAttribute>() is not null;
        UnionTag = type.GetCustomAttribute<SpecUnionAttribute>()?.Tag;
        Doc = type.GetCustomAttribute<SpecDocAttribute>()?.Text;
        var keys = new List<SpecKeyInfo>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.DeclaringType == typeof(SpecObject) || !p.CanWrite)
            {
                continue;
            }

            var hidden = p.GetCustomAttribute<JsonIgnoreAttribute>() is not null;
            // Hidden properties that still bind are compatibility inputs (volumes, host_network).
            if (hidden && p.Name is not (nameof(ServiceSpec.Volumes) or nameof(ServiceSpec.HostNetwork)))
            {
                continue;
            }

            keys.Add(new SpecKeyInfo(
                SpecNaming.KeyOf(p),
                p,
                [.. p.GetCustomAttributes<SpecAliasAttribute>().Select(a => a.Name)],
                p.GetCustomAttribute<SpecRequiredAttribute>() is not null,
                p.GetCustomAttribute<SpecVariantAttribute>()?.Variants,
                p.GetCustomAttribute<SpecAllowQuotedNumberAttribute>() is not null,
                p.GetCustomAttribute<SpecDocAttribute>()?.Text));
            if (hidden)
            {
                CompatKeys.Add(keys[^1].Key);
            }
        }

        Keys = keys;
        var byName = new Dictionary<string, SpecKeyInfo>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            byName[k.Key] = k;
            foreach (var alias in k.Aliases)
            {
                byName[alias] = k;
            }
        }

        ByName = byName;
    }

    public Type Type { get; }

    public bool IsOpen { get; }

    public string? UnionTag { get; }

    public string? Doc { get; }

    public IReadOnlyList<SpecKeyInfo> Keys { get; }

    /// <summary>Keys accepted only as compatibility input and not written back out.</summary>
    public HashSet<string> CompatKeys { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, SpecKeyInfo> ByName { get; }

    public SpecKeyInfo? TagKey => UnionTag is null ? null : ByName[UnionTag];

    public static SpecTypeInfo Of(Type type) => Cache.GetOrAdd(type, t => new SpecTypeInfo(t));

    public IEnumerable<string> KeysFor(string? variant) =>
        Keys.Where(k => k.InVariant(variant) && !CompatKeys.Contains(k.Key)).Select(k => k.Key);
}
