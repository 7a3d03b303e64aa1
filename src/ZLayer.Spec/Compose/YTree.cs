using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// Builders and accessors for the immutable <see cref="YNode"/> tree. The compose pipeline rewrites
/// trees (interpolation, path resolution, merging) by building new nodes that keep the original
/// positions, so every later diagnostic still points at the line the user wrote.
/// </summary>
internal static class YTree
{
    /// <summary>Compose's merge tag: the key is removed from the merged model.</summary>
    public const string ResetTag = "!reset";

    /// <summary>Compose's merge tag: the value replaces the earlier one instead of merging with it.</summary>
    public const string OverrideTag = "!override";

    /// <summary>A string value (never read as null, a number or a boolean by later stages).</summary>
    public static YScalar Text(SourceLocation at, string value) => new(at, value, isPlain: false);

    /// <summary>A plain scalar, read the way YAML reads unquoted text.</summary>
    public static YScalar Plain(SourceLocation at, string value) => new(at, value, isPlain: true);

    public static YScalar Null(SourceLocation at) => new(at, "", isPlain: true);

    public static YMapping Map(SourceLocation at, IEnumerable<KeyValuePair<YScalar, YNode>> entries, string? tag = null) =>
        new(at, [.. entries]) { Tag = tag };

    public static YSequence Seq(SourceLocation at, IEnumerable<YNode> items, string? tag = null) =>
        new(at, [.. items]) { Tag = tag };

    public static bool IsNull(YNode? node) => node is null or YScalar { IsNull: true };

    /// <summary>The text of a non-null scalar, or null for anything else.</summary>
    public static string? TextOf(YNode? node) => node is YScalar { IsNull: false } s ? s.Value : null;

    public static YNode? Get(YNode? map, string key) => map is YMapping m ? m.Get(key) : null;

    /// <summary>A copy of <paramref name="map"/> with <paramref name="key"/> set to <paramref name="value"/>, in place if present.</summary>
    public static YMapping With(YMapping map, string key, YNode value)
    {
        var entries = new List<KeyValuePair<YScalar, YNode>>(map.Entries.Count + 1);
        var found = false;
        foreach (var entry in map.Entries)
        {
            if (entry.Key.Value == key)
            {
                entries.Add(new(entry.Key, value));
                found = true;
            }
            else
            {
                entries.Add(entry);
            }
        }

        if (!found)
        {
            entries.Add(new(Plain(value.Location, key), value));
        }

        return new YMapping(map.Location, entries) { Tag = map.Tag };
    }

    public static YMapping Without(YMapping map, string key) =>
        new(map.Location, [.. map.Entries.Where(e => e.Key.Value != key)]) { Tag = map.Tag };

    /// <summary>Same shape and text, wherever written: used to tell a harmless repeated definition from a conflict.</summary>
    public static bool SameContent(YNode a, YNode b)
    {
        switch (a, b)
        {
            case (YScalar x, YScalar y):
                return x.IsNull == y.IsNull && (x.IsNull || x.Value == y.Value);
            case (YSequence x, YSequence y):
                if (x.Items.Count != y.Items.Count)
                {
                    return false;
                }

                for (var i = 0; i < x.Items.Count; i++)
                {
                    if (!SameContent(x.Items[i], y.Items[i]))
                    {
                        return false;
                    }
                }

                return true;
            case (YMapping x, YMapping y):
                if (x.Entries.Count != y.Entries.Count)
                {
                    return false;
                }

                foreach (var (key, value) in x.Entries)
                {
                    if (y.Get(key.Value) is not { } other || !SameContent(value, other))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}
