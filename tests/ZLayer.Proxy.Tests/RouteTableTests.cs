using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

public class RouteTableTests
{
    private static readonly BackendAddress Backend = new("127.0.0.1", 1, "r1");

    private static string? Matched(RouteTable table, string host, string path) =>
        table.Ports[new ListenerKey(80, false)].Http!.Match(host, path)?.Input.Service;

    [Fact]
    public void Exact_host_beats_wildcard_and_wildcard_beats_any_host()
    {
        var table = Table(
            Input("exact", Endpoint(80, host: "api.example.com"), Backend),
            Input("wild", Endpoint(80, host: "*.example.com"), Backend),
            Input("any", Endpoint(80), Backend));

        Assert.Equal("exact", Matched(table, "API.example.com", "/"));
        Assert.Equal("wild", Matched(table, "www.example.com", "/"));
        Assert.Equal("wild", Matched(table, "a.b.example.com", "/"));
        Assert.Equal("any", Matched(table, "example.com", "/"));
        Assert.Equal("any", Matched(table, "other.org", "/x"));
    }

    [Fact]
    public void Longest_path_prefix_wins_on_segment_boundaries()
    {
        var table = Table(
            Input("root", Endpoint(80, path: "/"), Backend),
            Input("api", Endpoint(80, path: "/api"), Backend),
            Input("v2", Endpoint(80, path: "/api/v2/"), Backend));

        Assert.Equal("api", Matched(table, "h", "/api"));
        Assert.Equal("api", Matched(table, "h", "/api/v1/users"));
        Assert.Equal("v2", Matched(table, "h", "/api/v2"));
        Assert.Equal("v2", Matched(table, "h", "/api/v2/users"));
        Assert.Equal("root", Matched(table, "h", "/apix"));
        Assert.Equal("root", Matched(table, "h", "/api2/v2"));
    }

    [Fact]
    public void A_host_without_a_matching_path_falls_back_to_less_specific_hosts()
    {
        var table = Table(
            Input("exact-api", Endpoint(80, host: "a.example.com", path: "/api"), Backend),
            Input("any", Endpoint(80), Backend));

        Assert.Equal("exact-api", Matched(table, "a.example.com", "/api/x"));
        Assert.Equal("any", Matched(table, "a.example.com", "/other"));
    }

    [Fact]
    public void Strip_prefix_extension_removes_the_prefix_and_keeps_a_leading_slash()
    {
        var endpoint = Endpoint(80, path: "/api/");
        endpoint.StripPrefix = true;
        var route = Table(Input("api", endpoint, Backend)).Ports[new ListenerKey(80, false)].Http!.Routes[0];

        Assert.Equal("/v1/users", route.BackendPath("/api/v1/users"));
        Assert.Equal("/", route.BackendPath("/api"));
    }

    [Fact]
    public void Same_port_host_and_path_in_two_services_is_a_conflict_naming_both()
    {
        var result = RouteTable.Build([
            Input("a", Endpoint(80, host: "x.example.com", path: "/api/", name: "http"), Backend),
            new RouteInput("other", "b", Endpoint(80, host: "X.example.com", path: "/api", name: "web"), [Backend]),
        ]);

        var conflict = Assert.Single(result.Conflicts);
        Assert.Null(result.Table);
        Assert.Equal("port 80: endpoint 'web' of other/b conflicts with endpoint 'http' of demo/a (same route: X.example.com, path /api)", conflict.Message);
    }

    [Fact]
    public void An_l4_and_an_l7_endpoint_on_one_port_conflict()
    {
        var result = RouteTable.Build([
            Input("web", Endpoint(5000), Backend),
            Input("db", Endpoint(5000, EndpointProtocol.Tcp, name: "pg"), Backend),
        ]);

        Assert.Equal("port 5000: endpoint 'pg' of demo/db conflicts with endpoint 'web' of demo/web (one port cannot serve both http and tcp)", Assert.Single(result.Conflicts).Message);
    }

    [Fact]
    public void Tcp_and_udp_on_the_same_port_number_do_not_conflict()
    {
        var table = Table(
            Input("dns-tcp", Endpoint(53, EndpointProtocol.Tcp), Backend),
            Input("dns-udp", Endpoint(53, EndpointProtocol.Udp), Backend));

        Assert.Equal(2, table.Ports.Count);
    }

    [Fact]
    public void Backend_counters_survive_a_rebuild_and_take_the_new_draining_flag()
    {
        var first = Table(Input("web", Endpoint(80), Backend));
        var state = first.Ports.Values.Single().Http!.Routes[0].Pool.Backends[0];
        state.Start();

        var second = RouteTable.Build([Input("web", Endpoint(80), Backend with { Draining = true })], first).Table!;
        var carried = second.Ports.Values.Single().Http!.Routes[0].Pool.Backends[0];

        Assert.Same(state, carried);
        Assert.Equal(1, carried.ActiveRequests);
        Assert.True(carried.Address.Draining);
        Assert.Null(second.Ports.Values.Single().Http!.Routes[0].Pool.Pick());
    }
}
