using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>A short-syntax volume, <c>[source:]target[:options]</c>, split but not yet checked.</summary>
internal sealed record ShortVolume(string? Source, string Target, string? Options);

/// <summary>The text forms of compose <c>volumes</c>, <c>devices</c>, <c>secrets</c> and <c>configs</c> entries.</summary>
internal static class VolumeSyntax
{
    public static bool TrySplit(string text, out ShortVolume volume, out string error)
    {
        volume = null!;
        var parts = text.Split(':');
        switch (parts.Length)
        {
            case 1:
                volume = new ShortVolume(null, parts[0], null);
                break;
            case 2:
                volume = new ShortVolume(parts[0], parts[1], null);
                break;
            case 3:
                volume = new ShortVolume(parts[0], parts[1], parts[2]);
                break;
            default:
                error = $"invalid volume '{text}': expected [source:]target[:options]";
                return false;
        }

        if (volume.Source is { Length: 0 } || volume.Target.Length == 0)
        {
            error = $"invalid volume '{text}': empty source or target";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>Docker's rule: a source that looks like a path is a host bind; anything else names a volume.</summary>
    public static bool IsBindSource(string source) => source.Length > 0 && source[0] is '/' or '.' or '~';

    /// <summary>The unique key for merging volumes across files: the mount path inside the container.</summary>
    public static string? MountTarget(YNode item) => item switch
    {
        YScalar { IsNull: false } s => TrySplit(s.Value, out var v, out _) ? v.Target : s.Value,
        YMapping m => YTree.TextOf(m.Get("target")),
        _ => null,
    };

    /// <summary>The unique key for merging devices: the path inside the container.</summary>
    public static string? DeviceTarget(YNode item) => item switch
    {
        YScalar { IsNull: false } s => s.Value.Split(':') is [_, var container, ..] ? container : s.Value.Split(':')[0],
        YMapping m => YTree.TextOf(m.Get("target")) ?? YTree.TextOf(m.Get("source")),
        _ => null,
    };

    /// <summary>The unique key for merging secrets and configs: the target, which defaults to the source name.</summary>
    public static string? GrantTarget(YNode item) => item switch
    {
        YScalar { IsNull: false } s => s.Value,
        YMapping m => YTree.TextOf(m.Get("target")) ?? YTree.TextOf(m.Get("source")),
        _ => null,
    };
}
