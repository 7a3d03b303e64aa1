using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// <c>resources</c>, <c>ulimits</c>, capabilities, <c>sysctls</c> and <c>devices</c> as HostConfig
/// fields. The values are checked by the same code as for runc bundles, so a spec is refused with
/// the same words whichever runtime runs it; the engine then applies them its own way.
/// </summary>
internal static class DockerResources
{
    public static void Apply(ServiceSpec service, JsonObject host, bool hostNetwork, bool hostIpc)
    {
        var name = service.Name;
        var cgroup = CgroupResources.Build(name, service.Resources);
        if (cgroup["cpu"] is JsonObject cpu)
        {
            Copy(cpu, "quota", host, "CpuQuota");
            Copy(cpu, "period", host, "CpuPeriod");
            Copy(cpu, "shares", host, "CpuShares");
            Copy(cpu, "cpus", host, "CpusetCpus");
        }

        if (cgroup["memory"] is JsonObject memory)
        {
            Copy(memory, "limit", host, "Memory");
            Copy(memory, "swap", host, "MemorySwap");
            Copy(memory, "reservation", host, "MemoryReservation");
            Copy(memory, "swappiness", host, "MemorySwappiness");
            Copy(memory, "disableOOMKiller", host, "OomKillDisable");
        }

        if (cgroup["pids"] is JsonObject pids)
        {
            Copy(pids, "limit", host, "PidsLimit");
        }

        if (cgroup["blockIO"] is JsonObject blockIo)
        {
            Copy(blockIo, "weight", host, "BlkioWeight");
        }

        if (CgroupResources.OomScoreAdj(name, service.Resources) is { } oomScoreAdj)
        {
            host["OomScoreAdj"] = oomScoreAdj;
        }

        // Checked here, applied by the engine: it knows what its own daemon may grant.
        var privileged = service.Privileged is true;
        CapabilitySet.Resolve(name, privileged, service.Capabilities, service.CapDrop);
        host["Privileged"] = privileged;
        host["CapAdd"] = Strings(service.Capabilities);
        host["CapDrop"] = Strings(service.CapDrop);

        // Only the limits the spec names: the engine has its own default for open files.
        var rlimits = ProcessRlimits.Resolve(name, service.Ulimits).Take(service.Ulimits.Count);
        host["Ulimits"] = new JsonArray([.. rlimits.Select(r => (JsonNode?)new JsonObject
        {
            ["Name"] = r.Type["RLIMIT_".Length..].ToLowerInvariant(),
            ["Soft"] = Limit(r.Soft),
            ["Hard"] = Limit(r.Hard),
        })]);

        var sysctls = Sysctls.Resolve(name, service.Sysctls, hostNetwork, hostIpc);
        if (sysctls.Count > 0)
        {
            host["Sysctls"] = new JsonObject(sysctls.Select(s => new KeyValuePair<string, JsonNode?>(s.Key, s.Value)));
        }

        host["Devices"] = new JsonArray([.. DeviceRules.Resolve(name, service.Devices).Select(d => (JsonNode?)new JsonObject
        {
            ["PathOnHost"] = d.Path,
            ["PathInContainer"] = d.Path,
            ["CgroupPermissions"] = d.Access,
        })]);
    }

    /// <summary>The engine's unlimited is -1 (RLIM_INFINITY as a signed number).</summary>
    private static long Limit(ulong value) => value > long.MaxValue ? -1 : (long)value;

    private static void Copy(JsonObject from, string key, JsonObject to, string field)
    {
        if (from[key] is { } value)
        {
            to[field] = value.DeepClone();
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
