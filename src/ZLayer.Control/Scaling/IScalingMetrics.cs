namespace ZLayer.Control.Scaling;

/// <summary>CPU and memory of one serving replica, as its runtime measures them.</summary>
/// <param name="CpuPercent">Percent of one core over the time since the previous reading.</param>
/// <param name="MemoryLimitBytes">The runtime's limit; null when the replica has none.</param>
public sealed record ReplicaUsage(string Deployment, string Service, string ReplicaId, double CpuPercent, long MemoryBytes, long? MemoryLimitBytes);

/// <summary>Requests per second one replica received through the node proxy since the previous reading.</summary>
public sealed record ReplicaRequestRate(string Deployment, string Service, string ReplicaId, double RequestsPerSecond);

/// <summary>
/// Where the autoscaler's numbers come from: on a node, the runtimes' stats and the proxy's
/// request counters (<see cref="NodeScalingMetrics"/>); in tests, numbers a test sets. Each call
/// is one reading; rates are over the time since the previous call.
/// </summary>
public interface IScalingMetrics
{
    /// <summary>
    /// Usage of the replicas of <paramref name="services"/> that serve now (running and healthy);
    /// one that cannot be measured is left out. Only the services asked for are measured: a
    /// reading costs the runtime a sampling window (or an engine call) per replica.
    /// </summary>
    Task<IReadOnlyList<ReplicaUsage>> ReadUsageAsync(IReadOnlySet<(string Deployment, string Service)> services, CancellationToken ct);

    /// <summary>Request rates of the replicas behind the proxy's endpoints.</summary>
    IReadOnlyList<ReplicaRequestRate> ReadRequestRates();
}
