using ZLayer.Spec.Model;

namespace ZLayer.Control.Scaling;

/// <summary>One measured metric of a service: the sum over its replicas, and how many were measured.</summary>
public readonly record struct MetricTotal(double Sum, int Replicas);

/// <summary>
/// One sample of a service's load as totals over its replicas, each null when nothing measured it
/// (no serving replica yet, no proxy in front). Totals, not averages, are what get smoothed: the
/// demand on a service does not change when its replica count does, while a per-replica average
/// jumps at every scaling action and would make a smoothed average lag behind the new count.
/// </summary>
/// <param name="Cpu">CPU of the serving replicas, each in percent of the spec's <c>resources.cpu</c>, or of one core without it.</param>
/// <param name="Memory">Memory of each, in percent of its limit (the runtime's, else <c>resources.memory</c>), or of the node's memory without one.</param>
/// <param name="Requests">Requests per second through the proxy, over the replicas behind it.</param>
public sealed record ServiceLoad(MetricTotal? Cpu, MetricTotal? Memory, MetricTotal? Requests)
{
    public static ServiceLoad Measure(
        ServiceSpec service,
        IReadOnlyCollection<ReplicaUsage> usage,
        IReadOnlyCollection<ReplicaRequestRate> rates,
        long nodeMemoryBytes)
    {
        var cores = service.Resources?.Cpu is { } c && c > 0 ? c : 1.0;
        var specMemory = service.Resources?.Memory?.Bytes;
        MetricTotal? cpu = usage.Count == 0 ? null : new(usage.Sum(u => u.CpuPercent / cores), usage.Count);
        MetricTotal? memory = usage.Count == 0
            ? null
            : new(usage.Sum(u => 100.0 * u.MemoryBytes / Math.Max(1, u.MemoryLimitBytes ?? specMemory ?? nodeMemoryBytes)), usage.Count);
        var behind = rates.Select(r => r.ReplicaId).Distinct(StringComparer.Ordinal).Count();
        MetricTotal? requests = behind == 0 ? null : new(rates.Sum(r => r.RequestsPerSecond), behind);
        return new ServiceLoad(cpu, memory, requests);
    }
}
