using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>An OCI process rlimit: RLIMIT_* type, soft and hard.</summary>
public sealed record Rlimit(string Type, ulong Soft, ulong Hard);

/// <summary>
/// <c>ulimits</c> as rlimits. Names are Docker's (<c>nofile</c>, <c>nproc</c>...), also accepted as
/// <c>RLIMIT_NOFILE</c>; a missing soft or hard takes the other's value (SPEC.md §3.16) and -1 means
/// unlimited. Without a <c>nofile</c> entry the open-files limit is Docker's 1048576 (or what the
/// node allows, <see cref="NodeLimits.DefaultNofile"/>), because the host's default (often 1024) is
/// too low for servers and a surprise next to Docker.
/// </summary>
public static class ProcessRlimits
{
    public const ulong DefaultNofile = 1_048_576;

    private static readonly string[] Names =
    [
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
        "rss", "rtprio", "rttime", "sigpending", "stack",
    ];

    public static IReadOnlyList<Rlimit> Resolve(string service, IReadOnlyDictionary<string, UlimitSpec> ulimits, ulong defaultNofile = DefaultNofile)
    {
        var result = new List<Rlimit>();
        foreach (var (key, limit) in ulimits)
        {
            var name = key.Trim().ToLowerInvariant();
            if (name.StartsWith("rlimit_", StringComparison.Ordinal))
            {
                name = name["rlimit_".Length..];
            }

            if (!Names.Contains(name))
            {
                throw BundleError.For(service, $"ulimits: unknown limit '{key}' (expected one of {string.Join(", ", Names)})");
            }

            var type = "RLIMIT_" + name.ToUpperInvariant();
            if (result.Any(r => r.Type == type))
            {
                throw BundleError.For(service, $"ulimits: '{key}' is given twice");
            }

            var soft = Value(service, key, "soft", limit.Soft ?? limit.Hard ?? 0);
            var hard = Value(service, key, "hard", limit.Hard ?? limit.Soft ?? 0);
            if (soft > hard)
            {
                throw BundleError.For(service, $"ulimits.{key}: soft {limit.Soft} is above hard {limit.Hard}");
            }

            result.Add(new Rlimit(type, soft, hard));
        }

        if (!result.Any(r => r.Type == "RLIMIT_NOFILE"))
        {
            result.Add(new Rlimit("RLIMIT_NOFILE", defaultNofile, defaultNofile));
        }

        return result;
    }

    private static ulong Value(string service, string key, string which, long value) => value switch
    {
        -1 => ulong.MaxValue,
        >= 0 => (ulong)value,
        _ => throw BundleError.For(service, $"ulimits.{key}.{which}: {value} is negative (use -1 for unlimited)"),
    };
}
