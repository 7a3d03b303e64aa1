using System.Globalization;
using System.Text.Json.Nodes;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// <c>resources</c> as linux.resources. cpu becomes a CFS quota of cpu × 100000µs per 100000µs
/// period (SPEC.md §3.5); memory_swap is Docker's memory+swap total (-1 unlimited) and needs a
/// memory limit; pids_limit 0 or -1 means unlimited, as Docker. The device rules are added by the
/// builder.
/// </summary>
public static class CgroupResources
{
    public const long CpuPeriod = 100_000;

    /// <summary>The kernel refuses a CFS quota below 1ms.</summary>
    public const long MinCpuQuota = 1_000;

    public static JsonObject Build(string service, ResourcesSpec? resources)
    {
        var result = new JsonObject();
        if (resources is null)
        {
            return result;
        }

        var cpu = new JsonObject();
        if (resources.Cpu is { } cores)
        {
            if (!double.IsFinite(cores) || cores <= 0)
            {
                throw BundleError.For(service, $"resources.cpu {cores.ToString(CultureInfo.InvariantCulture)} must be a number of cores above 0");
            }

            var quota = (long)Math.Round(cores * CpuPeriod, MidpointRounding.AwayFromZero);
            if (quota < MinCpuQuota)
            {
                throw BundleError.For(service, $"resources.cpu {cores.ToString(CultureInfo.InvariantCulture)} is below the kernel's smallest quota, 0.01 cores");
            }

            cpu["quota"] = quota;
            cpu["period"] = CpuPeriod;
        }

        if (resources.CpuShares is { } shares)
        {
            if (shares is < 2 or > 262_144)
            {
                throw BundleError.For(service, $"resources.cpu_shares {shares} is outside the kernel's range 2..262144");
            }

            cpu["shares"] = shares;
        }

        if (resources.Cpuset is { } cpuset)
        {
            cpu["cpus"] = Cpuset(service, cpuset);
        }

        if (cpu.Count > 0)
        {
            result["cpu"] = cpu;
        }

        var memory = new JsonObject();
        var limit = resources.Memory?.Bytes;
        if (limit is { } bytes)
        {
            memory["limit"] = bytes;
        }

        if (resources.MemorySwap is { } swapText)
        {
            long swap;
            if (swapText.Trim() == "-1")
            {
                swap = -1;
            }
            else if (!ByteSize.TryParse(swapText, out swap))
            {
                throw BundleError.For(service, $"resources.memory_swap '{swapText}' is not a size (e.g. 1Gi, 512M, 1073741824) or -1");
            }

            if (limit is null)
            {
                throw BundleError.For(service, "resources.memory_swap needs resources.memory: it is the limit of memory and swap together");
            }

            if (swap != -1 && swap < limit)
            {
                throw BundleError.For(service, $"resources.memory_swap '{swapText}' is below resources.memory '{resources.Memory}': it is the limit of memory and swap together");
            }

            memory["swap"] = swap;
        }

        if (resources.MemoryReservation is { } reservationText)
        {
            if (!ByteSize.TryParse(reservationText, out var reservation))
            {
                throw BundleError.For(service, $"resources.memory_reservation '{reservationText}' is not a size (e.g. 256Mi, 256M, 268435456)");
            }

            if (limit is { } l && reservation > l)
            {
                throw BundleError.For(service, $"resources.memory_reservation '{reservationText}' is above resources.memory '{resources.Memory}'");
            }

            memory["reservation"] = reservation;
        }

        if (resources.MemorySwappiness is { } swappiness)
        {
            if (swappiness > 100)
            {
                throw BundleError.For(service, $"resources.memory_swappiness {swappiness} is outside 0..100");
            }

            memory["swappiness"] = (ulong)swappiness;
        }

        if (resources.OomKillDisable is true)
        {
            memory["disableOOMKiller"] = true;
        }

        if (memory.Count > 0)
        {
            result["memory"] = memory;
        }

        switch (resources.PidsLimit)
        {
            case null or 0 or -1:
                break;
            case > 0 and var pids:
                result["pids"] = new JsonObject { ["limit"] = pids };
                break;
            case var pids:
                throw BundleError.For(service, $"resources.pids_limit {pids} must be positive (0 or -1 for unlimited)");
        }

        if (resources.BlkioWeight is { } weight)
        {
            if (weight is < 10 or > 1000)
            {
                throw BundleError.For(service, $"resources.blkio_weight {weight} is outside 10..1000");
            }

            result["blockIO"] = new JsonObject { ["weight"] = weight };
        }

        return result;
    }

    /// <summary>oom_score_adj for process.oomScoreAdj, checked against the kernel's range.</summary>
    public static int? OomScoreAdj(string service, ResourcesSpec? resources) => resources?.OomScoreAdj switch
    {
        null => null,
        >= -1000 and <= 1000 and var adj => adj,
        var adj => throw BundleError.For(service, $"resources.oom_score_adj {adj} is outside -1000..1000"),
    };

    /// <summary>A cpuset list as the kernel takes it: CPU numbers and ranges, comma separated (0-3,6).</summary>
    private static string Cpuset(string service, string text)
    {
        var s = text.Trim();
        foreach (var part in s.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => b.Length is 0 or > 6 || !b.All(char.IsAsciiDigit))
                || (bounds.Length == 2 && long.Parse(bounds[0], CultureInfo.InvariantCulture) > long.Parse(bounds[1], CultureInfo.InvariantCulture)))
            {
                throw BundleError.For(service, $"resources.cpuset '{text}' is not a CPU list such as 0-3 or 0,2,4-7");
            }
        }

        return s;
    }
}
