using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Proxy;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The node proxy's routes as it serves them right now, for the dashboard and for operators:
/// <c>GET /api/v1/proxy/routes</c>. Read-only; the table itself is built by service discovery.
/// </summary>
public static class ProxyRouteRoutes
{
    public const string Path = "/proxy/routes";

    /// <param name="proxy">The daemon's proxy, or null when it runs with --no-proxy.</param>
    public static RouteGroupBuilder MapProxyRouteRoutes(this RouteGroupBuilder api, NodeProxy? proxy)
    {
        // A reader of its own: each reader keeps the counts of its previous read, so the
        // autoscaler's rates are not disturbed by how often a dashboard polls.
        var rates = proxy?.CreateRequestRateReader();
        api.MapGet(Path, async (ControlPlane control, CancellationToken ct) =>
        {
            if (proxy is null)
            {
                return TypedResults.Ok(new ProxyRoutesResponse(false, []));
            }

            var health = (await control.Repository.StatusesAsync(null, ct))
                .ToDictionary(s => s.ReplicaId, s => s.Health, StringComparer.Ordinal);
            return TypedResults.Ok(new ProxyRoutesResponse(true, Describe(proxy.Routes, rates!.Read(), health)));
        })
            .WithName("ListProxyRoutes")
            .WithSummary("The node proxy's routes: listen ports, matches, backends with their state and health, requests per second");
        return api;
    }

    public static List<ProxyRouteResource> Describe(RouteTable table, IReadOnlyList<BackendRequestRate> rates, IReadOnlyDictionary<string, HealthState> health)
    {
        var rateOf = rates.ToLookup(r => (r.Deployment, r.Service, r.Endpoint, r.ReplicaId));
        var now = Environment.TickCount64;
        var list = new List<ProxyRouteResource>();
        foreach (var (key, plan) in table.Ports.OrderBy(p => p.Key.Port).ThenBy(p => p.Key.Udp))
        {
            var routes = plan.Http is not null
                ? plan.Http.Routes.Select(r => (r.Input, r.Host, Path: (string?)(r.PathPrefix.Length == 0 ? "/" : r.PathPrefix), r.Pool))
                : [(plan.Stream!.Input, Host: (string?)null, Path: (string?)null, plan.Stream.Pool)];
            foreach (var (input, host, path, pool) in routes.OrderBy(r => r.Host, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal))
            {
                var backends = pool.Backends.Select(b =>
                {
                    var rate = rateOf[(input.Deployment, input.Service, input.Endpoint.Name, b.Address.ReplicaId)].Sum(r => r.RequestsPerSecond);
                    var state = b.Address.Draining ? "draining" : b.IsEjected(now) ? "ejected" : "serving";
                    return new ProxyBackendResource(
                        b.Address.ReplicaId,
                        $"{b.Address.Host}:{b.Address.Port}",
                        state,
                        health.GetValueOrDefault(b.Address.ReplicaId, HealthState.Unknown),
                        b.TotalRequests,
                        Math.Round(rate, 2),
                        b.ActiveRequests);
                }).ToList();
                list.Add(new ProxyRouteResource(
                    key.Port,
                    plan.Kind.ToString().ToLowerInvariant(),
                    plan.Public,
                    host,
                    path,
                    input.Deployment,
                    input.Service,
                    input.Endpoint.Name,
                    Math.Round(backends.Sum(b => b.RequestsPerSecond), 2),
                    backends.Sum(b => b.InFlight),
                    backends));
            }
        }

        return list;
    }
}
