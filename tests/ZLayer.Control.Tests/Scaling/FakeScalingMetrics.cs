using ZLayer.Control.Scaling;

namespace ZLayer.Control.Tests.Scaling;

/// <summary>Load a test sets by hand, read by the autoscaler as it would read the runtime's stats and the proxy's counters.</summary>
public sealed class FakeScalingMetrics : IScalingMetrics
{
    public List<ReplicaUsage> Usage { get; } = [];

    public List<ReplicaRequestRate> Rates { get; } = [];

    /// <summary><paramref name="replicas"/> replicas of the service behind the proxy sharing <paramref name="total"/> requests per second.</summary>
    public void SetRequests(string deployment, string service, int replicas, double total)
    {
        Rates.RemoveAll(r => r.Deployment == deployment && r.Service == service);
        for (var i = 1; i <= replicas; i++)
        {
            Rates.Add(new ReplicaRequestRate(deployment, service, $"{deployment}.{service}.{i}", total / replicas));
        }
    }

    /// <summary><paramref name="replicas"/> serving replicas of the service, each using <paramref name="cpuPercent"/> of one core and <paramref name="memoryBytes"/>.</summary>
    public void SetUsage(string deployment, string service, int replicas, double cpuPercent, long memoryBytes = 0, long? memoryLimitBytes = null)
    {
        Usage.RemoveAll(u => u.Deployment == deployment && u.Service == service);
        for (var i = 1; i <= replicas; i++)
        {
            Usage.Add(new ReplicaUsage(deployment, service, $"{deployment}.{service}.{i}", cpuPercent, memoryBytes, memoryLimitBytes));
        }
    }

    /// <summary>The services the autoscaler asked to measure, at its latest reading.</summary>
    public IReadOnlySet<(string Deployment, string Service)> Measured { get; private set; } = new HashSet<(string, string)>();

    public Task<IReadOnlyList<ReplicaUsage>> ReadUsageAsync(IReadOnlySet<(string Deployment, string Service)> services, CancellationToken ct)
    {
        Measured = services;
        return Task.FromResult<IReadOnlyList<ReplicaUsage>>([.. Usage.Where(u => services.Contains((u.Deployment, u.Service)))]);
    }

    public IReadOnlyList<ReplicaRequestRate> ReadRequestRates() => [.. Rates];
}
