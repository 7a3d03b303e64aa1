using System.Globalization;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>What this node lets the daemon hand to its containers, read from /proc/self.</summary>
public static class NodeLimits
{
    private const int CapSysResource = 24;

    /// <summary>
    /// The open-files limit a replica gets without a <c>nofile</c> ulimit: Docker's 1048576 where the
    /// daemon may raise limits (CAP_SYS_RESOURCE, or a hard limit already that high), else the
    /// daemon's own hard limit. runc cannot raise a hard limit without that capability and would
    /// fail every start (as in an unprivileged or capability-trimmed daemon).
    /// </summary>
    public static ulong DefaultNofile()
    {
        var hard = OpenFilesHardLimit();
        if (hard is null || hard >= ProcessRlimits.DefaultNofile || (CapabilityMask("CapEff") & (1UL << CapSysResource)) != 0)
        {
            return ProcessRlimits.DefaultNofile;
        }

        return hard.Value;
    }

    /// <summary>The hard RLIMIT_NOFILE of this process, from /proc/self/limits; null when unreadable.</summary>
    private static ulong? OpenFilesHardLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length >= 2 && fields[1] == "unlimited" ? ulong.MaxValue
                        : fields.Length >= 2 && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard) ? hard : null;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>
    /// The capabilities this process could give a child: its bounding set. A container cannot get
    /// more, so a daemon in a trimmed environment (a container itself, a hardened unit) grants what
    /// it has and refuses explicit requests for the rest.
    /// </summary>
    public static IReadOnlySet<string> BoundingCapabilities()
    {
        var mask = CapabilityMask("CapBnd");
        return CapabilitySet.All.Where((_, number) => (mask & (1UL << number)) != 0).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A capability mask line of /proc/self/status (CapEff, CapBnd...); all bits set when unreadable, so nothing is refused on a guess.</summary>
    private static ulong CapabilityMask(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal)
                    && ulong.TryParse(line[(field.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
                {
                    return mask;
                }
            }
        }
        catch (IOException)
        {
        }

        return ulong.MaxValue;
    }
}
