using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// The Compose merge rules, used for <c>-f a -f b</c> and for <c>extends</c>: maps merge key by key,
/// scalars are replaced, sequences are appended, with the exceptions the Compose Specification lists
/// (shell commands replaced; ports, volumes, devices, secrets and configs unique by their key;
/// environment-like lists merged by name) and the <c>!reset</c> and <c>!override</c> tags.
/// </summary>
internal static class ComposeMerger
{
    private enum Rule
    {
        Generic,
        Replace,
        AppendUnique,
        ByName,
        ListToMap,
        Healthcheck,
        UniquePorts,
        UniqueMounts,
        UniqueDevices,
        UniqueGrants,
    }

    private static readonly Dictionary<string, Rule> ServiceRules = new(StringComparer.Ordinal)
    {
        ["command"] = Rule.Replace,
        ["entrypoint"] = Rule.Replace,
        ["healthcheck"] = Rule.Healthcheck,
        ["environment"] = Rule.ByName,
        ["labels"] = Rule.ByName,
        ["sysctls"] = Rule.ByName,
        ["annotations"] = Rule.ByName,
        ["depends_on"] = Rule.ListToMap,
        ["networks"] = Rule.ListToMap,
        ["ports"] = Rule.UniquePorts,
        ["volumes"] = Rule.UniqueMounts,
        ["devices"] = Rule.UniqueDevices,
        ["secrets"] = Rule.UniqueGrants,
        ["configs"] = Rule.UniqueGrants,
        ["expose"] = Rule.AppendUnique,
        ["dns"] = Rule.AppendUnique,
        ["dns_search"] = Rule.AppendUnique,
        ["dns_opt"] = Rule.AppendUnique,
        ["cap_add"] = Rule.AppendUnique,
        ["cap_drop"] = Rule.AppendUnique,
        ["security_opt"] = Rule.AppendUnique,
        ["external_links"] = Rule.AppendUnique,
        ["links"] = Rule.AppendUnique,
        ["tmpfs"] = Rule.AppendUnique,
        ["env_file"] = Rule.AppendUnique,
        ["group_add"] = Rule.AppendUnique,
        ["profiles"] = Rule.AppendUnique,
        ["device_cgroup_rules"] = Rule.AppendUnique,
        ["extra_hosts"] = Rule.AppendUnique,
        ["volumes_from"] = Rule.AppendUnique,
    };

    /// <summary>Merges a later file over an earlier one; the result keeps the earlier file's positions for what it defined first.</summary>
    public static YMapping MergeDocuments(YMapping earlier, YMapping later) =>
        MergeMaps(earlier, later, earlier.Location, (key, a, b) => key == "services" ? MergeServiceMaps(a, b) : Generic(a, b));

    /// <summary>Merges <paramref name="over"/> onto <paramref name="under"/> as one service; the result is placed at <paramref name="location"/>.</summary>
    public static YMapping MergeService(YMapping under, YMapping over, SourceLocation location) =>
        MergeMaps(under, over, location, MergeServiceKey);

    /// <summary>Removes what <c>!reset</c> still marks after merging (a reset in the first file resets to nothing).</summary>
    public static YNode DropResets(YNode node) => node switch
    {
        YMapping map => YTree.Map(
            map.Location,
            map.Entries.Where(e => e.Value.Tag != YTree.ResetTag).Select(e => new KeyValuePair<YScalar, YNode>(e.Key, DropResets(e.Value))),
            map.Tag),
        YSequence seq => YTree.Seq(seq.Location, seq.Items.Where(i => i.Tag != YTree.ResetTag).Select(DropResets), seq.Tag),
        _ => node,
    };

    private static YNode MergeServiceMaps(YNode under, YNode over)
    {
        if (under is not YMapping a || over is not YMapping b)
        {
            return over;
        }

        return MergeMaps(a, b, a.Location, (_, x, y) =>
            (x is YMapping or YScalar { IsNull: true }) && (y is YMapping or YScalar { IsNull: true })
                ? MergeService(AsMap(x), AsMap(y), x.Location)
                : y);
    }

    private static YMapping AsMap(YNode node) => node as YMapping ?? YTree.Map(node.Location, []);

    private static YMapping MergeMaps(YMapping under, YMapping over, SourceLocation location, Func<string, YNode, YNode, YNode> mergeChild)
    {
        var overByKey = new Dictionary<string, KeyValuePair<YScalar, YNode>>(StringComparer.Ordinal);
        foreach (var entry in over.Entries)
        {
            overByKey[entry.Key.Value] = entry;
        }

        var result = new List<KeyValuePair<YScalar, YNode>>(under.Entries.Count + over.Entries.Count);
        foreach (var (key, value) in under.Entries)
        {
            if (!overByKey.Remove(key.Value, out var replacement))
            {
                result.Add(new(key, value));
                continue;
            }

            switch (replacement.Value.Tag)
            {
                case YTree.ResetTag:
                    break;
                case YTree.OverrideTag:
                    result.Add(replacement);
                    break;
                default:
                    // The later key's position: the value now comes (at least in part) from there.
                    result.Add(new(replacement.Key, mergeChild(key.Value, value, replacement.Value)));
                    break;
            }
        }

        foreach (var entry in over.Entries)
        {
            if (overByKey.ContainsKey(entry.Key.Value) && entry.Value.Tag != YTree.ResetTag)
            {
                result.Add(entry);
            }
        }

        return YTree.Map(location, result, over.Tag ?? under.Tag);
    }

    private static YNode MergeServiceKey(string key, YNode under, YNode over) =>
        (ServiceRules.TryGetValue(key, out var rule) ? rule : Rule.Generic) switch
        {
            Rule.Replace => over,
            Rule.Healthcheck => under is YMapping a && over is YMapping b
                ? MergeMaps(a, b, a.Location, (k, x, y) => k == "test" ? y : Generic(x, y))
                : over,
            // Malformed entries cannot be keyed; merge such lists plainly so the mapper still sees and reports them.
            Rule.ByName when HasUnkeyableItems(under) || HasUnkeyableItems(over) => Generic(under, over),
            Rule.ListToMap when HasUnkeyableItems(under) || HasUnkeyableItems(over) => Generic(under, over),
            Rule.ByName => MergeMaps(ByNameMap(under), ByNameMap(over), under.Location, (_, _, y) => y),
            Rule.ListToMap => MergeMaps(ListToMap(under), ListToMap(over), under.Location, (_, x, y) => YTree.IsNull(y) ? x : Generic(x, y)),
            Rule.AppendUnique => AppendUnique(AsSequence(under), AsSequence(over), item => item is YScalar s ? s.Value : null),
            Rule.UniquePorts => AppendUnique(AsSequence(under), AsSequence(over), PortSyntax.MergeKey),
            Rule.UniqueMounts => AppendUnique(AsSequence(under), AsSequence(over), VolumeSyntax.MountTarget),
            Rule.UniqueDevices => AppendUnique(AsSequence(under), AsSequence(over), VolumeSyntax.DeviceTarget),
            Rule.UniqueGrants => AppendUnique(AsSequence(under), AsSequence(over), VolumeSyntax.GrantTarget),
            _ => Generic(under, over),
        };

    private static bool HasUnkeyableItems(YNode node) =>
        node is YSequence seq ? seq.Items.Any(i => i is not YScalar { IsNull: false }) : node is not (YMapping or YScalar { IsNull: true });

    private static YNode Generic(YNode under, YNode over) => (under, over) switch
    {
        (YMapping a, YMapping b) => MergeMaps(a, b, a.Location, (_, x, y) => Generic(x, y)),
        (YSequence a, YSequence b) => YTree.Seq(a.Location, [.. a.Items, .. b.Items], b.Tag ?? a.Tag),
        _ => over,
    };

    /// <summary>
    /// Appends the later entries; one whose key matches an earlier entry takes that entry's place (two
    /// long-syntax maps are merged). Entries with no key are compared by content.
    /// </summary>
    private static YSequence AppendUnique(YSequence under, YSequence over, Func<YNode, string?> keyOf)
    {
        var items = new List<YNode>(under.Items);
        foreach (var item in over.Items)
        {
            var key = keyOf(item);
            var index = items.FindIndex(existing => key is not null ? keyOf(existing) == key : YTree.SameContent(existing, item));
            if (index < 0)
            {
                items.Add(item);
            }
            else
            {
                items[index] = items[index] is YMapping a && item is YMapping b ? Generic(a, b) : item;
            }
        }

        return YTree.Seq(under.Location, items, over.Tag ?? under.Tag);
    }

    /// <summary>A string or a map of <c>name: value</c> (<c>extra_hosts</c>) seen as a list, so both forms merge alike.</summary>
    private static YSequence AsSequence(YNode node) => node switch
    {
        YSequence seq => seq,
        YMapping map => YTree.Seq(map.Location, map.Entries.SelectMany(e => e.Value is YSequence values
            ? values.Items.Select(v => (YNode)YTree.Text(v.Location, $"{e.Key.Value}={YTree.TextOf(v)}"))
            : [YTree.Text(e.Key.Location, $"{e.Key.Value}={YTree.TextOf(e.Value)}")])),
        YScalar { IsNull: true } => YTree.Seq(node.Location, []),
        _ => YTree.Seq(node.Location, [node]),
    };

    /// <summary><c>environment</c>, <c>labels</c>...: the list form <c>NAME=value</c> (or bare <c>NAME</c>) as a map.</summary>
    public static YMapping ByNameMap(YNode node)
    {
        switch (node)
        {
            case YMapping map:
                return map;
            case YSequence seq:
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                foreach (var item in seq.Items)
                {
                    if (item is not YScalar { IsNull: false } s)
                    {
                        continue;
                    }

                    var equals = s.Value.IndexOf('=', StringComparison.Ordinal);
                    entries.Add(equals < 0
                        ? new(YTree.Plain(s.Location, s.Value), YTree.Null(s.Location))
                        : new(YTree.Plain(s.Location, s.Value[..equals]), YTree.Text(s.Location, s.Value[(equals + 1)..])));
                }

                return YTree.Map(seq.Location, entries);
            default:
                return YTree.Map(node.Location, []);
        }
    }

    /// <summary><c>depends_on</c> and <c>networks</c>: the list form <c>[a, b]</c> as a map <c>{a: null, b: null}</c>.</summary>
    private static YMapping ListToMap(YNode node) => node switch
    {
        YMapping map => map,
        YSequence seq => YTree.Map(seq.Location, seq.Items
            .OfType<YScalar>()
            .Where(s => !s.IsNull)
            .Select(s => new KeyValuePair<YScalar, YNode>(YTree.Plain(s.Location, s.Value), YTree.Null(s.Location)))),
        _ => YTree.Map(node.Location, []),
    };
}
