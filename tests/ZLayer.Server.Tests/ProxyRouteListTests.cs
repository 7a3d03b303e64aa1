using ZLayer.Cli.Daemon;
using ZLayer.Control.Model;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Server.Tests;

/// <summary>How GET /api/v1/proxy/routes describes the proxy's table, rates and backends.</summary>
public sealed class ProxyRouteListTests
{
    [Fact]
    public void Routes_list_port_match_backends_with_their_state_and_health_and_rates_summed_per_route()
    {
        var api = new EndpointSpec { Name = "http", Protocol = EndpointProtocol.Http, Port = 8080, Host = "shop.example.com", Path = "/api", Expose = ExposeMode.Public };
        var db = new EndpointSpec { Name = "pg", Protocol = EndpointProtocol.Tcp, Port = 5432 };
        var result = RouteTable.Build([
            new RouteInput("shop", "api", api, [new BackendAddress("10.0.0.2", 80, "shop.api.0"), new BackendAddress("10.0.0.3", 80, "shop.api.1", Draining: true)]),
            new RouteInput("shop", "db", db, [new BackendAddress("10.0.0.4", 5432, "shop.db.0")]),
        ]);
        Assert.True(result.Succeeded);
        BackendRequestRate[] rates =
        [
            new("shop", "api", "http", "shop.api.0", 3.5, 1),
            new("shop", "api", "http", "shop.api.1", 0.5, 0),
        ];
        var health = new Dictionary<string, HealthState> { ["shop.api.0"] = HealthState.Healthy, ["shop.db.0"] = HealthState.Unhealthy };

        var routes = ProxyRouteRoutes.Describe(result.Table!, rates, health);

        Assert.Equal([5432, 8080], routes.Select(r => r.Port).Order().ToArray());
        var web = routes.Single(r => r.Port == 8080);
        Assert.Equal(("http", true, "shop.example.com", "/api"), (web.Protocol, web.Public, web.Host, web.Path));
        Assert.Equal(4.0, web.RequestsPerSecond);
        Assert.Equal([("shop.api.0", "serving", HealthState.Healthy), ("shop.api.1", "draining", HealthState.Unknown)],
            web.Backends.Select(b => (b.Replica, b.State, b.Health)).ToArray());
        var stream = routes.Single(r => r.Port == 5432);
        Assert.Equal(("tcp", false, null, null, 0.0), (stream.Protocol, stream.Public, stream.Host, stream.Path, stream.RequestsPerSecond));
        Assert.Equal("10.0.0.4:5432", stream.Backends.Single().Address);
    }
}
