using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// A container's CPU and memory use from one stats answer (stream=false), which carries two CPU
/// samples a moment apart: CPU percent is the container's share of the node's CPU time between
/// them, scaled by the number of online CPUs (so 100 is one core, as the runc runtime reports it);
/// memory is usage without the page cache (cgroup v1 "cache", v2 "inactive_file"), as `docker
/// stats` shows it.
/// </summary>
internal static class DockerStats
{
    /// <param name="limited">Whether the container has a memory limit; without one the engine reports the node's memory, which is no limit of the replica's.</param>
    public static ResourceUsage? From(JsonNode stats, bool limited)
    {
        var cpu = stats["cpu_stats"];
        var previous = stats["precpu_stats"];
        var memory = stats["memory_stats"];
        if (memory?["usage"] is not JsonValue usageValue)
        {
            return null;
        }

        var cpuDelta = Number(cpu?["cpu_usage"]?["total_usage"]) - Number(previous?["cpu_usage"]?["total_usage"]);
        var systemDelta = Number(cpu?["system_cpu_usage"]) - Number(previous?["system_cpu_usage"]);
        var online = Number(cpu?["online_cpus"]) is > 0 and var n ? n : (cpu?["cpu_usage"]?["percpu_usage"] as JsonArray)?.Count ?? 1;
        var percent = cpuDelta > 0 && systemDelta > 0 ? (double)cpuDelta / systemDelta * online * 100 : 0;

        var details = memory["stats"];
        var cache = details?["cache"] is not null ? Number(details["cache"]) : Number(details?["inactive_file"]);
        var usage = usageValue.GetValue<long>();
        var limit = Number(memory["limit"]);
        return new ResourceUsage(percent, Math.Max(0, usage - cache), limited && limit > 0 ? limit : null);
    }

    private static long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;
}
