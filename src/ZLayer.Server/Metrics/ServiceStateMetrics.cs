using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZLayer.Control.Api;

namespace ZLayer.Server.Metrics;

/// <summary>
/// Per service, from the store at scrape time: desired, running and healthy replicas, and the
/// restarts of its current replicas. One read of deployments and replicas per scrape, whatever
/// the number of services.
/// </summary>
public sealed class ServiceStateMetrics : IScrapeSource
{
    public const string MeterName = "ZLayer.Services";

    private readonly ControlPlane control;
    private IReadOnlyList<ServiceSample> samples = [];

    public ServiceStateMetrics(ControlPlane control, IMeterFactory meters)
    {
        this.control = control;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("zlayer.service.replicas.desired", () => Observe(s => s.Desired), "{replica}", "Replicas the service should have (scale override, else the spec's count)");
        meter.CreateObservableGauge("zlayer.service.replicas.running", () => Observe(s => s.Running), "{replica}", "Replicas of the service in the running state");
        meter.CreateObservableGauge("zlayer.service.replicas.healthy", () => Observe(s => s.Healthy), "{replica}", "Running replicas of the service whose health check passes");
        meter.CreateObservableGauge("zlayer.service.restarts", () => Observe(s => s.Restarts), "{restart}", "Restarts of the service's current replicas (drops when a replica is removed)");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var deployments = await control.DeploymentsAsync(cancellationToken);
        var restarts = (await control.ReplicasAsync(null, cancellationToken))
            .GroupBy(r => (r.Status.Deployment, r.Status.Service))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Status.Restarts));
        samples = [.. deployments.SelectMany(d => d.Services.Select(s => new ServiceSample(
            d.Name, s.Name, s.Desired, s.Running, s.Healthy, restarts.GetValueOrDefault((d.Name, s.Name)))))];
    }

    private IEnumerable<Measurement<int>> Observe(Func<ServiceSample, int> value) =>
        samples.Select(s => new Measurement<int>(value(s), new TagList { { "deployment", s.Deployment }, { "service", s.Service } }));

    private sealed record ServiceSample(string Deployment, string Service, int Desired, int Running, int Healthy, int Restarts);
}
