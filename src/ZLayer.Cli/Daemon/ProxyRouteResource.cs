using ZLayer.Control.Model;

namespace ZLayer.Cli.Daemon;

// The shapes of GET /api/v1/proxy/routes (docs/api.md "Proxy routes").

/// <summary>The node proxy's table; <paramref name="Enabled"/> is false when the daemon runs with --no-proxy.</summary>
public sealed record ProxyRoutesResponse(bool Enabled, IReadOnlyList<ProxyRouteResource> Routes);

/// <summary>
/// One route: a listen port and, for HTTP, the host and path prefix it matches. The request rate
/// is per second since the previous read of this route list (0 on the first read).
/// </summary>
public sealed record ProxyRouteResource(
    int Port,
    string Protocol,
    bool Public,
    string? Host,
    string? Path,
    string Deployment,
    string Service,
    string Endpoint,
    double RequestsPerSecond,
    int InFlight,
    IReadOnlyList<ProxyBackendResource> Backends);

/// <summary>
/// One backend of a route. <paramref name="State"/> is the proxy's view (serving, draining, or
/// ejected after failed connects); <paramref name="Health"/> is the replica's health check.
/// </summary>
public sealed record ProxyBackendResource(
    string Replica,
    string Address,
    string State,
    HealthState Health,
    long Requests,
    double RequestsPerSecond,
    int InFlight);
