using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Hosting;
using ZLayer.Proxy.Http;
using ZLayer.Proxy.Http1;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;
using ZLayer.Proxy.Streams;
using ZLayer.Proxy.Tls;

namespace ZLayer.Proxy;

/// <summary>
/// The node's proxy: serves a <see cref="RouteTable"/>. <see cref="ApplyAsync"/> opens listeners
/// for new ports, closes those for ports that went away, reopens a port only when where it binds
/// or what it speaks changed, and otherwise swaps the routes of a running listener in place, so
/// open connections and keep-alive clients carry on.
/// </summary>
public sealed class NodeProxy : IAsyncDisposable
{
    private readonly NodeProxyOptions options;
    private readonly Exposure exposure;
    private readonly HttpForwarder forwarder;
    private readonly CertificateStore certificates;
    private readonly BackendConnectionPool backendConnections;
    private readonly Dictionary<ListenerKey, IListenerHost> listeners = [];
    private readonly List<HttpListenerHost> redirects = [];
    private readonly SemaphoreSlim applying = new(1, 1);
    private volatile RouteTable routes = RouteTable.Empty;

    public NodeProxy(NodeProxyOptions options, IMeterFactory? meters = null)
    {
        this.options = options;
        exposure = new Exposure(options);
        Metrics = new ProxyMetrics(meters, () => routes);
        forwarder = new HttpForwarder(options, Metrics);
        certificates = new CertificateStore(options.Certificates, options.CertificateSources);
        backendConnections = new BackendConnectionPool(options);
    }

    public RouteTable Routes => routes;

    public ProxyMetrics Metrics { get; }

    /// <summary>A reader of requests per second per backend, for one consumer (the autoscaler).</summary>
    public RequestRateReader CreateRequestRateReader() => new(() => routes);

    /// <summary>Builds a table from inputs, carrying backend counters over from the running one.</summary>
    public RouteTableResult Build(IEnumerable<RouteInput> inputs) => RouteTable.Build(inputs, routes);

    /// <summary>Puts <paramref name="table"/> in force; ports that cannot be opened are left out and reported together (<see cref="ListenerBindException"/>) after the rest applied.</summary>
    public async Task ApplyAsync(RouteTable table, CancellationToken token = default)
    {
        await applying.WaitAsync(token);
        var failures = new List<string>();
        try
        {
            if (redirects.Count == 0 && options.HttpsRedirects.Count > 0)
            {
                await OpenRedirectsAsync(token);
            }

            foreach (var (key, host) in listeners.Where(l => !table.Ports.ContainsKey(l.Key)).ToList())
            {
                listeners.Remove(key);
                await host.DisposeAsync();
            }

            foreach (var (key, plan) in table.Ports)
            {
                if (listeners.TryGetValue(key, out var running))
                {
                    if (running.Plan.SameBinding(plan))
                    {
                        running.Plan = plan;
                        continue;
                    }

                    listeners.Remove(key);
                    await running.DisposeAsync();
                }

                var host = Create(plan);
                try
                {
                    await host.StartAsync(token);
                    listeners[key] = host;
                }
                catch (InvalidOperationException e)
                {
                    // One port that cannot be opened must not keep the others' routes stale.
                    await host.DisposeAsync();
                    failures.Add(e.Message);
                }
            }

            routes = table;
            backendConnections.Prune(table);
            if (failures.Count > 0)
            {
                throw new ListenerBindException(failures);
            }
        }
        finally
        {
            applying.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await applying.WaitAsync();
        try
        {
            foreach (var host in listeners.Values.Concat(redirects))
            {
                await host.DisposeAsync();
            }

            listeners.Clear();
            redirects.Clear();
            forwarder.Dispose();
            backendConnections.Dispose();
            certificates.Dispose();
            Metrics.Dispose();
        }
        finally
        {
            applying.Release();
        }
    }

    private IListenerHost Create(PortPlan plan)
    {
        var addresses = exposure.BindAddresses(plan);
        return plan.Kind switch
        {
            ListenerKind.Tcp => new TcpRelayHost(plan, addresses, options, Metrics),
            ListenerKind.Udp => new UdpRelayHost(plan, addresses, options, Metrics),
            ListenerKind.Https => new HttpListenerHost(plan, addresses, options, certificates, KestrelHandler),
            _ => new HttpListenerHost(plan, addresses, options, null, KestrelHandler, host =>
                new Http1FastPath(() => host.Plan, exposure, options, Metrics, backendConnections)),
        };
    }

    private RequestDelegate KestrelHandler(HttpListenerHost host) => new ProxyRequestHandler(() => host.Plan, exposure, forwarder).HandleAsync;

    private async Task OpenRedirectsAsync(CancellationToken token)
    {
        foreach (var (plainPort, httpsPort) in options.HttpsRedirects)
        {
            var plan = new PortPlan(new ListenerKey(plainPort, false), ListenerKind.Http, new HttpRouteMatcher([]), null);
            var host = new HttpListenerHost(plan, [options.PublicAddress], options, null, _ => HttpsRedirect.To(httpsPort));
            await host.StartAsync(token);
            redirects.Add(host);
        }
    }
}
