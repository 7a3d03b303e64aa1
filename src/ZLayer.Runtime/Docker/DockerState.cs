using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// A container's inspect answer as a <see cref="ReplicaRuntimeState"/>: its status, exit code, an
/// OOM kill (reported in the runc runtime's words), its times, and its IP address on the network
/// the runtime attached it to (what the node proxy, DNS and health checks use).
/// </summary>
internal static class DockerState
{
    public const string OomMessage = "killed by the kernel: out of memory (the service's memory limit)";

    public static ReplicaRuntimeState From(JsonNode inspect, string? network)
    {
        var state = inspect["State"];
        var status = state?["Status"]?.GetValue<string>() switch
        {
            "created" => RuntimeStatus.Created,
            "running" or "paused" or "restarting" => RuntimeStatus.Running,
            "exited" or "dead" or "removing" => RuntimeStatus.Exited,
            _ => RuntimeStatus.Unknown,
        };
        var exited = status == RuntimeStatus.Exited;
        var oom = state?["OOMKilled"]?.GetValue<bool>() is true;
        var pid = state?["Pid"]?.GetValue<int>() is > 0 and var p ? p : (int?)null;
        var error = state?["Error"]?.GetValue<string>() is { Length: > 0 } e ? e : null;
        return new ReplicaRuntimeState(
            status,
            exited ? state?["ExitCode"]?.GetValue<int>() : null,
            exited && oom,
            status == RuntimeStatus.Running ? pid : null,
            DockerTime.Parse(state?["StartedAt"]?.GetValue<string>()),
            exited ? DockerTime.Parse(state?["FinishedAt"]?.GetValue<string>()) : null,
            AddressOf(inspect, network),
            exited && oom ? OomMessage : error);
    }

    public static bool Tty(JsonNode inspect) => inspect["Config"]?["Tty"]?.GetValue<bool>() is true;

    private static string? AddressOf(JsonNode inspect, string? network)
    {
        if (inspect["NetworkSettings"]?["Networks"] is not JsonObject networks)
        {
            return null;
        }

        var chosen = network is not null && networks[network] is { } ours ? ours : networks.Select(n => n.Value).FirstOrDefault(n => n?["IPAddress"]?.GetValue<string>() is { Length: > 0 });
        return chosen?["IPAddress"]?.GetValue<string>() is { Length: > 0 } address ? address : null;
    }
}
