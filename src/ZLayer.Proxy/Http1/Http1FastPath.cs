using Microsoft.AspNetCore.Connections;
using ZLayer.Proxy.Hosting;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// The clear-text HTTP/1.1 fast path of one listener: a Kestrel connection middleware that serves
/// plain requests itself (own head parser, pooled raw backend connections, bodies relayed as
/// framed) and hands the connection to Kestrel's HTTP server, unread, at the first request it
/// does not take: upgrades, h2c, chunked uploads, Expect, HTTP/1.0 and any unusual syntax.
/// </summary>
internal sealed class Http1FastPath(Func<PortPlan> plan, Exposure exposure, NodeProxyOptions options, ProxyMetrics metrics, BackendConnectionPool backends)
{
    public Func<PortPlan> Plan { get; } = plan;

    public Exposure Exposure { get; } = exposure;

    public NodeProxyOptions Options { get; } = options;

    public ProxyMetrics Metrics { get; } = metrics;

    public BackendConnectionPool Backends { get; } = backends;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var session = new Http1Connection(connection, this);
        if (await session.RunAsync())
        {
            await H2cDetection.OnConnectionAsync(connection, next);
        }
    }
}
