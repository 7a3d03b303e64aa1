using System.Diagnostics;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;
using ZLayer.Server.Metrics;
using ZLayer.Spec.Model;

namespace ZLayer.Bench;

/// <summary>
/// `bench metrics [--requests N] [--rounds N]`: what the proxy's per-request recording costs
/// (request counter, duration histogram, bytes counters: the calls the forwarder makes after each
/// request) with nobody listening and with the daemon's /metrics collector attached. CPU time of
/// one thread, so it holds on a busy machine where end-to-end figures do not.
/// </summary>
public static class MetricsBenchmark
{
    public static int Run(string[] args)
    {
        var requests = Options.Int(args, "--requests", 2_000_000);
        var rounds = Options.Int(args, "--rounds", 5);
        using var metrics = new ProxyMetrics();
        var endpoint = new EndpointSpec { Name = "http", Protocol = EndpointProtocol.Http, Port = 8080, Expose = ExposeMode.Public };
        var route = new RouteInput("shop", "web", endpoint, [new BackendAddress("127.0.0.1", 9000, "shop.web.1")]);

        var alone = Measure(metrics, route, requests, rounds);
        double attached;
        using (new MetricsCollector())
        {
            attached = Measure(metrics, route, requests, rounds);
        }

        Console.WriteLine(ZLayer.Bench.Measure.Line($"metrics none      {alone,7:F0} ns per request recorded"));
        Console.WriteLine(ZLayer.Bench.Measure.Line($"metrics collector {attached,7:F0} ns per request recorded (+{attached - alone:F0} ns)"));
        return 0;
    }

    private static double Measure(ProxyMetrics metrics, RouteInput route, int requests, int rounds)
    {
        var perRound = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < requests; i++)
            {
                metrics.RequestCompleted(route, 200, 0.0012);
                metrics.Bytes(route, 0, 23);
            }

            perRound.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1e6 / requests);
        }

        return ZLayer.Bench.Measure.Median(perRound);
    }
}
