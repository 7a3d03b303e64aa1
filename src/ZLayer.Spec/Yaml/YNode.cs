using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Yaml;

/// <summary>
/// A YAML node with the place it was written. Our own tree rather than YamlDotNet's so that
/// aliases, merge keys and size limits are resolved once, under our control, with positions kept.
/// </summary>
public abstract class YNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>An explicit tag such as <c>!!str</c> or <c>!reset</c>, when one was written.</summary>
    public string? Tag { get; init; }

    public abstract string KindName { get; }
}

public sealed class YScalar(SourceLocation location, string value, bool isPlain) : YNode(location)
{
    public string Value { get; } = value;

    /// <summary>Plain (unquoted) scalars may be numbers, booleans or null; quoted ones are always strings.</summary>
    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Tag is null && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : "scalar";
}

public sealed class YSequence(SourceLocation location, IReadOnlyList<YNode> items) : YNode(location)
{
    public IReadOnlyList<YNode> Items { get; } = items;

    public override string KindName => "list";
}

public sealed class YMapping(SourceLocation location, IReadOnlyList<KeyValuePair<YScalar, YNode>> entries) : YNode(location)
{
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;

    public override string KindName => "map";

    public YNode? Get(string key)
    {
        foreach (var (k, v) in Entries)
        {
            if (k.Value == key)
            {
                return v;
            }
        }

        return null;
    }

    public YScalar? KeyNode(string key)
    {
        foreach (var (k, _) in Entries)
        {
            if (k.Value == key)
            {
                return k;
            }
        }

        return null;
    }
}
