using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Agent;
using ZLayer.Control.Api;
using ZLayer.Control.Model;

namespace ZLayer.Server;

/// <summary>What one replica uses now; CPU is a percentage of one core over a short window.</summary>
public sealed record ReplicaStats(string Replica, string Deployment, string Service, double CpuPercent, long MemoryBytes, long? MemoryLimitBytes);

/// <summary>CPU and memory of running replicas, as their runtime measures them (cgroups for containers, /proc for processes).</summary>
public static class StatsRoutes
{
    public static RouteGroupBuilder MapStatsRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/stats", async (ControlPlane control, NodeAgent agent, CancellationToken ct) =>
        {
            var running = (await control.ReplicasAsync(null, ct)).Select(v => v.Status).Where(s => s.State == ReplicaState.Running).ToList();

            // Each reading spans a short window; taken together, the answer takes one window, not N.
            var readings = await Task.WhenAll(running.Select(s => ReadAsync(agent, s, ct)));
            return TypedResults.Ok(readings.OfType<ReplicaStats>().OrderBy(r => r.Replica, StringComparer.Ordinal).ToList());
        })
            .WithName("ListStats")
            .WithSummary("CPU and memory of every replica on this node");

        api.MapGet("/replicas/{replica}/stats", async (string replica, ControlPlane control, NodeAgent agent, CancellationToken ct) =>
        {
            var status = (await control.ReplicasAsync(null, ct)).Select(v => v.Status).FirstOrDefault(s => s.ReplicaId == replica)
                ?? throw ProblemResults.NotFound($"replica '{replica}' is not on this node (see `zlayer ps -a`)");
            return TypedResults.Ok(await ReadAsync(agent, status, ct)
                ?? throw ProblemResults.Conflict($"replica '{replica}' is {status.State.ToString().ToLowerInvariant()}: there is nothing to measure"));
        })
            .WithName("GetReplicaStats")
            .WithSummary("CPU and memory of one replica")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);
        return api;
    }

    /// <summary>One replica's reading, or null when it is not on this node or exited meanwhile.</summary>
    internal static async Task<ReplicaStats?> ReadAsync(NodeAgent agent, ReplicaStatus status, CancellationToken ct) =>
        await agent.UsageAsync(status.ReplicaId, ct) is { } usage
            ? new ReplicaStats(status.ReplicaId, status.Deployment, status.Service, Math.Round(usage.CpuPercent, 1), usage.MemoryBytes, usage.MemoryLimitBytes)
            : null;
}
