using ZLayer.Control.Agent;
using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Proxy.Metrics;

namespace ZLayer.Control.Scaling;

/// <summary>
/// The autoscaler's numbers on a node: CPU and memory of the serving replicas this node's agent
/// runs, from their runtime (cgroups for containers, /proc for processes), and requests per
/// second per replica from the node proxy's counters (none when the proxy is off).
/// </summary>
public sealed class NodeScalingMetrics(StateRepository repository, NodeAgent agent, RequestRateReader? requests) : IScalingMetrics
{
    public async Task<IReadOnlyList<ReplicaUsage>> ReadUsageAsync(IReadOnlySet<(string Deployment, string Service)> services, CancellationToken ct)
    {
        if (services.Count == 0)
        {
            return [];
        }

        var serving = (await repository.StatusesAsync(null, ct))
            .Where(s => s is { State: ReplicaState.Running, Health: HealthState.Healthy } && services.Contains((s.Deployment, s.Service)))
            .ToList();

        // Each reading may span a short window; taken together, a pass waits for one, not N.
        var readings = await Task.WhenAll(serving.Select(s => ReadAsync(s, ct)));
        return [.. readings.OfType<ReplicaUsage>()];
    }

    public IReadOnlyList<ReplicaRequestRate> ReadRequestRates() =>
        requests is null
            ? []
            : [.. requests.Read().Select(r => new ReplicaRequestRate(r.Deployment, r.Service, r.ReplicaId, r.RequestsPerSecond))];

    private async Task<ReplicaUsage?> ReadAsync(ReplicaStatus status, CancellationToken ct) =>
        await agent.UsageAsync(status.ReplicaId, ct) is { } usage
            ? new ReplicaUsage(status.Deployment, status.Service, status.ReplicaId, usage.CpuPercent, usage.MemoryBytes, usage.MemoryLimitBytes)
            : null;
}
