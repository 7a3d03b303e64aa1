using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ZLayer.Server.Metrics;

/// <summary>
/// GET /metrics: the Prometheus text exposition of the daemon's meters. Outside /api/v1 because
/// that is where Prometheus looks by default; it is a read like any other GET of the API.
/// </summary>
public static class MetricsRoutes
{
    public const string Path = "/metrics";

    /// <summary>The collector and the store-backed sources every API has; the daemon adds the runtime-backed one.</summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<DaemonMetrics>();
        services.TryAddSingleton<ServiceStateMetrics>();
        services.AddSingleton<IScrapeSource>(sp => sp.GetRequiredService<ServiceStateMetrics>());
        services.TryAddSingleton(sp =>
        {
            // Created with the daemon's meters in place, so the uptime gauge exists before the first scrape.
            sp.GetRequiredService<DaemonMetrics>();
            return new MetricsCollector(sp.GetRequiredService<IMeterFactory>(), sp.GetServices<IScrapeSource>());
        });
        return services;
    }

    public static IEndpointRouteBuilder MapMetricsRoute(this IEndpointRouteBuilder app)
    {
        // Listening starts now, not at the first scrape, so that requests before it are counted.
        var collector = app.ServiceProvider.GetRequiredService<MetricsCollector>();
        app.MapGet(Path, async (CancellationToken ct) => Results.Text(await collector.ScrapeAsync(ct), PrometheusTextWriter.ContentType))
            .WithName("Metrics")
            .WithSummary("The daemon's, services', replicas', proxy's and DNS server's metrics in the Prometheus text format (docs/metrics.md)")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain");
        return app;
    }
}
