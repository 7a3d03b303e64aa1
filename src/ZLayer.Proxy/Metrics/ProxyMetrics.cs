using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Metrics;

/// <summary>
/// The proxy's instruments, tagged by deployment, service and endpoint so /metrics and the
/// autoscaler can tell services apart. One instance per <see cref="NodeProxy"/>. Requests in
/// flight are read from the backends' own counters when observed, so counting them costs the
/// request path nothing more.
/// </summary>
public sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "ZLayer.Proxy";

    private readonly Meter meter;
    private readonly Counter<long> requests;
    private readonly Histogram<double> duration;
    private readonly Counter<long> bytesIn;
    private readonly Counter<long> bytesOut;
    private readonly UpDownCounter<long> connections;

    public ProxyMetrics(IMeterFactory? factory = null, Func<RouteTable>? routes = null)
    {
        meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        requests = meter.CreateCounter<long>("zlayer.proxy.requests", "{request}", "HTTP requests answered, by status class");
        duration = meter.CreateHistogram<double>("zlayer.proxy.request.duration", "s", "Time from request to the end of the response");
        bytesIn = meter.CreateCounter<long>("zlayer.proxy.received", "By", "Body bytes from clients");
        bytesOut = meter.CreateCounter<long>("zlayer.proxy.sent", "By", "Body bytes to clients");
        connections = meter.CreateUpDownCounter<long>("zlayer.proxy.active_connections", "{connection}", "Open TCP and UDP stream connections");
        if (routes is not null)
        {
            meter.CreateObservableUpDownCounter("zlayer.proxy.active_requests", () => ActiveRequests(routes()), "{request}", "HTTP requests being forwarded now");
        }
    }

    public void RequestCompleted(RouteInput route, int status, double seconds)
    {
        var tags = Tags(route);
        tags.Add("status_class", StatusClass(status));
        requests.Add(1, tags);
        duration.Record(seconds, Tags(route));
    }

    public void Bytes(RouteInput route, long received, long sent)
    {
        if (received > 0)
        {
            bytesIn.Add(received, Tags(route));
        }

        if (sent > 0)
        {
            bytesOut.Add(sent, Tags(route));
        }
    }

    public void ConnectionOpened(RouteInput route) => connections.Add(1, Tags(route));

    public void ConnectionClosed(RouteInput route) => connections.Add(-1, Tags(route));

    public void Dispose() => meter.Dispose();

    private static IEnumerable<Measurement<int>> ActiveRequests(RouteTable table) =>
        from plan in table.Ports.Values
        let http = plan.Http
        where http is not null
        from route in http.Routes
        select new Measurement<int>(route.Pool.Backends.Sum(b => b.ActiveRequests), Tags(route.Input));

    private static string StatusClass(int status) => status switch
    {
        < 200 => "1xx",
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };

    private static TagList Tags(RouteInput route) => new()
    {
        { "deployment", route.Deployment },
        { "service", route.Service },
        { "endpoint", route.Endpoint.Name },
    };
}
