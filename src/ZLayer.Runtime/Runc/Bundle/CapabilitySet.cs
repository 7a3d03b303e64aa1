namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// The capabilities a replica's process keeps. Docker's default set, minus <c>cap_drop</c>, plus
/// <c>capabilities</c>/<c>cap_add</c>: <c>cap_drop: [ALL]</c> empties the set before the adds, so
/// "drop ALL, add NET_BIND_SERVICE" leaves exactly that one, and an add wins over a drop of the same
/// name. <c>privileged</c> gives every capability whatever the lists say (they are still checked).
/// Names are case-insensitive, with or without the CAP_ prefix. Only what the daemon itself holds
/// can be given (<see cref="NodeLimits.BoundingCapabilities"/>): privileged, ALL and the defaults
/// are cut to that, and a capability named explicitly beyond it is an error.
/// </summary>
public static class CapabilitySet
{
    /// <summary>Every capability Linux defines, in kernel number order.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>What Docker grants an unprivileged container.</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <param name="available">What the daemon can grant; null for every capability.</param>
    public static IReadOnlyList<string> Resolve(string service, bool privileged, IReadOnlyList<string> add, IReadOnlyList<string> drop, IReadOnlySet<string>? available = null)
    {
        var adds = Names(service, "capabilities", add);
        var drops = Names(service, "cap_drop", drop);
        bool Grantable(string capability) => available?.Contains(capability) ?? true;
        if (privileged)
        {
            return [.. All.Where(Grantable)];
        }

        if (adds.FirstOrDefault(a => a != "ALL" && !Grantable(a)) is { } missing)
        {
            throw BundleError.For(service, $"capabilities: {missing} cannot be granted: the daemon on this node does not hold it");
        }

        var set = new HashSet<string>(drops.Contains("ALL") ? [] : Default.Except(drops), StringComparer.Ordinal);
        set.UnionWith(adds.Contains("ALL") ? All : adds);
        return [.. All.Where(c => set.Contains(c) && Grantable(c))];
    }

    /// <summary>The canonical CAP_ names of a list, "ALL" kept as is; an unknown name is an error naming it.</summary>
    private static List<string> Names(string service, string field, IReadOnlyList<string> names)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            var upper = name.Trim().ToUpperInvariant();
            if (upper is "ALL" or "CAP_ALL")
            {
                result.Add("ALL");
                continue;
            }

            var canonical = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
            if (!All.Contains(canonical))
            {
                throw BundleError.For(service, $"{field}: unknown capability '{name}' (expected a name such as NET_ADMIN or CAP_NET_ADMIN, or ALL)");
            }

            result.Add(canonical);
        }

        return result;
    }
}
