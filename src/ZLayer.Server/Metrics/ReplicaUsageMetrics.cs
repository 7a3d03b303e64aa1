using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZLayer.Control.Agent;
using ZLayer.Control.Api;
using ZLayer.Control.Model;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Per running replica of this node, from its runtime at scrape time: CPU in cores (1 is one core
/// busy) and memory in bytes, with the memory limit where one is set. All replicas are read
/// together and the scrape waits at most <see cref="ReadLimit"/> for them, so a slow runtime
/// leaves replicas out of one scrape rather than holding it up.
/// </summary>
public sealed class ReplicaUsageMetrics : IScrapeSource
{
    public const string MeterName = "ZLayer.Replicas";

    /// <summary>Longer than a reading's own window (the process runtime samples CPU over 200 ms), short of a typical scrape timeout.</summary>
    public static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(3);

    private readonly ControlPlane control;
    private readonly NodeAgent agent;
    private IReadOnlyList<ReplicaStats> samples = [];

    public ReplicaUsageMetrics(ControlPlane control, NodeAgent agent, IMeterFactory meters)
    {
        this.control = control;
        this.agent = agent;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("zlayer.replica.cpu.usage", () => Observe(s => s.CpuPercent / 100), "1", "CPU the replica uses, in cores, over the runtime's short sampling window");
        meter.CreateObservableGauge("zlayer.replica.memory.usage", () => Observe(s => s.MemoryBytes), "By", "Memory the replica uses, as its runtime counts it");
        meter.CreateObservableGauge("zlayer.replica.memory.limit", () => Observe(s => s.MemoryLimitBytes), "By", "The replica's memory limit, where one is set");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var running = (await control.ReplicasAsync(null, cancellationToken)).Select(v => v.Status)
            .Where(s => s.State == ReplicaState.Running && agent.Find(s.ReplicaId) is not null).ToList();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadLimit);
        var readings = await Task.WhenAll(running.Select(s => ReadAsync(s, limit.Token)));
        samples = [.. readings.OfType<ReplicaStats>()];
    }

    private async Task<ReplicaStats?> ReadAsync(ReplicaStatus status, CancellationToken ct)
    {
        try
        {
            return await StatsRoutes.ReadAsync(agent, status, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private IEnumerable<Measurement<double>> Observe(Func<ReplicaStats, double?> value) =>
        from s in samples
        let v = value(s)
        where v is not null
        select new Measurement<double>(v.Value, new TagList { { "deployment", s.Deployment }, { "service", s.Service }, { "replica", s.Replica } });
}
