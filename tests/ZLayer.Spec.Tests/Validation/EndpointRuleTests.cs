using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class EndpointRuleTests
{
    private static string Endpoints(params string[] endpoints) =>
        OneService("endpoints:\n" + string.Join("\n", endpoints.Select(e => $"  - {{ {e} }}")));

    [Fact]
    public void Endpoint_name_must_not_be_empty()
    {
        var yaml = Endpoints("name: \"\", protocol: http, port: 80");
        var error = SingleError(Load(yaml));
        Assert.Equal("endpoint name must not be empty", error.Message);
        Assert.Equal("services.web.endpoints[0].name", error.Path);
        AssertAt(error, yaml, "\"\"");
    }

    [Fact]
    public void Missing_endpoint_name_is_one_error()
    {
        var error = SingleError(Load(Endpoints("protocol: http, port: 80")));
        Assert.Equal("'services.web.endpoints[0]' needs 'name'", error.Message);
    }

    [Fact]
    public void Endpoint_names_are_unique_within_a_service()
    {
        var yaml = Endpoints("name: http, protocol: http, port: 80", "name: http, protocol: http, port: 8080");
        var error = SingleError(Load(yaml));
        Assert.Equal("duplicate-endpoint", error.Code);
        Assert.Equal("endpoint name 'http' is used twice in this service", error.Message);
        Assert.Equal("services.web.endpoints[1].name", error.Path);
        AssertAt(error, yaml, "http", after: "port: 80 }");
    }

    [Fact]
    public void The_same_endpoint_name_in_two_services_is_fine()
    {
        AssertClean(Load(Services("a: { image: { name: x }, endpoints: [{ name: http, protocol: http, port: 80, host: a.example.com }] }\nb: { image: { name: x }, endpoints: [{ name: http, protocol: http, port: 80, host: b.example.com }] }")));
    }

    [Fact]
    public void Endpoint_port_0_is_an_error()
    {
        var yaml = Endpoints("name: h, protocol: http, port: 0");
        var error = SingleError(Load(yaml));
        Assert.Equal("endpoint port must be 1-65535", error.Message);
        AssertAt(error, yaml, "0 }");
    }

    [Fact]
    public void Target_port_0_is_an_error_and_defaults_to_port()
    {
        var yaml = Endpoints("name: h, protocol: http, port: 80, target_port: 0");
        Assert.Equal("target_port must be 1-65535", SingleError(Load(yaml)).Message);
        var result = Load(Endpoints("name: h, protocol: http, port: 80"));
        Assert.Equal((ushort)80, result.Spec!.Services["web"].Endpoints[0].EffectiveTargetPort);
    }

    [Theory]
    [InlineData("api", "path 'api' must start with '/' and hold no query or fragment")]
    [InlineData("/api?x=1", "path '/api?x=1' must start with '/' and hold no query or fragment")]
    [InlineData("/api#top", "path '/api#top' must start with '/' and hold no query or fragment")]
    public void Paths_must_be_absolute_without_query(string path, string message)
    {
        var yaml = Endpoints($"name: h, protocol: http, port: 80, path: \"{path}\"");
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, $"\"{path}\"");
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("*.example.com")]
    [InlineData("api.v2.example.com")]
    [InlineData("localhost")]
    [InlineData("Example.COM")]
    public void Valid_hosts(string host)
    {
        AssertClean(Load(Endpoints($"name: h, protocol: https, port: 443, host: \"{host}\"")));
    }

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData("-bad.com")]
    [InlineData("bad-.com")]
    [InlineData("*example.com")]
    [InlineData("a.*.example.com")]
    [InlineData("example.com:8080")]
    [InlineData("example.com.")]
    [InlineData("example.com\n")]
    public void Invalid_hosts_are_errors(string host)
    {
        var yaml = Endpoints($"name: h, protocol: https, port: 443, host: \"{host.Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        var error = SingleError(Load(yaml));
        Assert.Equal($"host '{host}' must be a host name or a '*.' wildcard such as *.example.com", error.Message);
    }

    [Theory]
    [InlineData("tcp", "host: example.com", "host")]
    [InlineData("udp", "path: /x", "path")]
    [InlineData("tcp", "host: example.com, path: /x", "host")]
    public void Host_and_path_routing_need_an_l7_endpoint(string protocol, string route, string key)
    {
        var yaml = Endpoints($"name: s, protocol: {protocol}, port: 80, {route}");
        var error = SingleError(Load(yaml));
        Assert.Equal($"host and path routing need an http, https or websocket endpoint; 's' is {protocol}", error.Message);
        Assert.Equal($"services.web.endpoints[0].{key}", error.Path);
    }

    [Fact]
    public void Websocket_endpoints_route_by_host_and_path()
    {
        AssertClean(Load(Endpoints("name: ws, protocol: websocket, port: 80, host: ws.example.com, path: /socket")));
    }

    [Fact]
    public void Target_role_must_name_a_replica_group()
    {
        var yaml = OneService("replica_groups: [{ role: primary, count: 1 }, { role: replica, count: 1 }]\nendpoints: [{ name: w, protocol: tcp, port: 9300, target_role: leader }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("target-role", error.Code);
        Assert.Equal("target_role 'leader' names no role of replica_groups (primary, replica)", error.Message);
        AssertAt(error, yaml, "leader");
    }

    [Fact]
    public void Target_role_without_replica_groups_is_an_error()
    {
        var error = SingleError(Load(Endpoints("name: w, protocol: tcp, port: 9300, target_role: primary")));
        Assert.Equal("target_role 'primary' names no role: this service has no replica_groups", error.Message);
    }

    [Fact]
    public void Target_roles_that_exist_are_valid()
    {
        AssertClean(Load(SpecExamples.D));
    }

    [Fact]
    public void Stream_options_on_an_http_endpoint_are_a_warning()
    {
        var yaml = Endpoints("name: h, protocol: http, port: 80, stream: { tls: true }");
        var result = Load(yaml);
        AssertValid(result);
        var warning = SingleWarning(result);
        Assert.Equal("'stream' applies to tcp and udp endpoints; 'h' is http, so it is ignored", warning.Message);
        AssertAt(warning, yaml, "stream");
    }
}

public sealed class RouteConflictTests
{
    private static string TwoServices(string a, string b) =>
        Services($"a:\n  image: {{ name: x }}\n  endpoints: [{{ {a} }}]\nb:\n  image: {{ name: x }}\n  endpoints: [{{ {b} }}]");

    [Fact]
    public void Same_port_and_same_route_in_two_services_is_an_error()
    {
        var yaml = TwoServices("name: web, protocol: http, port: 80", "name: site, protocol: http, port: 80");
        var error = SingleError(Load(yaml));
        Assert.Equal("route-conflict", error.Code);
        Assert.Equal("port 80: endpoint 'site' of service 'b' conflicts with endpoint 'web' of service 'a' (same route: any host, path /)", error.Message);
        Assert.Equal("services.b.endpoints[0].port", error.Path);
        AssertAt(error, yaml, "80", after: "name: site");
    }

    [Theory]
    [InlineData("host: example.com, path: /api", "host: EXAMPLE.com, path: /api/", "same route: EXAMPLE.com, path /api")]
    [InlineData("path: /", "name: x", "same route: any host, path /")]
    [InlineData("host: a.example.com", "host: a.example.com", "same route: a.example.com, path /")]
    public void Routes_are_compared_case_and_slash_insensitively(string a, string b, string reason)
    {
        var yaml = TwoServices($"name: one, protocol: http, port: 80, {a}", $"name: two, protocol: http, port: 80, {b}".Replace(", name: x", "", StringComparison.Ordinal));
        var error = SingleError(Load(yaml));
        Assert.EndsWith($"({reason})", error.Message);
    }

    [Theory]
    [InlineData("path: /api", "path: /web")]
    [InlineData("host: a.example.com", "host: b.example.com")]
    [InlineData("host: a.example.com, path: /x", "host: a.example.com, path: /y")]
    [InlineData("path: /api", "path: /api/v2")]
    public void Different_routes_share_a_port(string a, string b)
    {
        AssertClean(Load(TwoServices($"name: one, protocol: http, port: 80, {a}", $"name: two, protocol: http, port: 80, {b}")));
    }

    [Fact]
    public void Https_endpoints_share_443_by_host()
    {
        AssertClean(Load(TwoServices("name: one, protocol: https, port: 443, host: a.example.com", "name: two, protocol: https, port: 443, host: b.example.com")));
    }

    [Fact]
    public void Http_and_websocket_share_one_listener()
    {
        AssertClean(Load(TwoServices("name: one, protocol: http, port: 80, path: /", "name: two, protocol: websocket, port: 80, path: /ws")));
        var error = SingleError(Load(TwoServices("name: one, protocol: http, port: 80", "name: two, protocol: websocket, port: 80")));
        Assert.Contains("(same route: any host, path /)", error.Message);
    }

    [Fact]
    public void Tcp_port_twice_is_an_error()
    {
        var error = SingleError(Load(TwoServices("name: pg, protocol: tcp, port: 5432", "name: pg2, protocol: tcp, port: 5432")));
        Assert.Equal("port 5432: endpoint 'pg2' of service 'b' conflicts with endpoint 'pg' of service 'a' (a tcp port belongs to one endpoint)", error.Message);
    }

    [Fact]
    public void Udp_port_twice_is_an_error()
    {
        var error = SingleError(Load(TwoServices("name: d, protocol: udp, port: 53", "name: d2, protocol: udp, port: 53")));
        Assert.EndsWith("(a udp port belongs to one endpoint)", error.Message);
    }

    [Fact]
    public void Http_and_https_on_one_port_is_an_error()
    {
        var error = SingleError(Load(TwoServices("name: one, protocol: http, port: 8443, path: /a", "name: two, protocol: https, port: 8443, path: /b")));
        Assert.Equal("port 8443: endpoint 'two' of service 'b' conflicts with endpoint 'one' of service 'a' (one port cannot serve both http and https)", error.Message);
    }

    [Fact]
    public void Http_and_tcp_on_one_port_is_an_error()
    {
        var error = SingleError(Load(TwoServices("name: one, protocol: http, port: 8080", "name: two, protocol: tcp, port: 8080")));
        Assert.EndsWith("(one port cannot serve both http and tcp)", error.Message);
    }

    [Fact]
    public void Udp_and_tcp_on_the_same_port_are_fine()
    {
        AssertClean(Load(TwoServices("name: dns, protocol: udp, port: 53", "name: dnstcp, protocol: tcp, port: 53")));
    }

    [Fact]
    public void Conflicts_within_one_service_are_found_too()
    {
        var yaml = OneService("endpoints:\n  - { name: a, protocol: tcp, port: 9000 }\n  - { name: b, protocol: tcp, port: 9000 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("port 9000: endpoint 'b' of service 'web' conflicts with endpoint 'a' of service 'web' (a tcp port belongs to one endpoint)", error.Message);
    }

    [Fact]
    public void An_external_and_a_service_conflict_like_two_services()
    {
        var yaml = Services("web: { image: { name: x }, endpoints: [{ name: http, protocol: http, port: 8096 }] }", "externals: { media: { backends: [\"10.0.0.5:8096\"], endpoints: [{ name: media, protocol: http, port: 8096 }] } }");
        var error = SingleError(Load(yaml));
        Assert.Equal("port 8096: endpoint 'media' of external 'media' conflicts with endpoint 'http' of service 'web' (same route: any host, path /)", error.Message);
    }

    [Fact]
    public void Three_claims_on_one_route_give_two_errors()
    {
        var yaml = Services("""
            a: { image: { name: x }, endpoints: [{ name: e, protocol: http, port: 80 }] }
            b: { image: { name: x }, endpoints: [{ name: e, protocol: http, port: 80 }] }
            c: { image: { name: x }, endpoints: [{ name: e, protocol: http, port: 80 }] }
            """);
        var errors = Errors(Load(yaml));
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("of service 'a'", e.Message));
    }

    [Fact]
    public void Many_services_on_one_port_with_distinct_hosts_are_valid()
    {
        var services = string.Join("\n", Enumerable.Range(0, 300).Select(i => $"s{i}: {{ image: {{ name: x }}, endpoints: [{{ name: h, protocol: https, port: 443, host: s{i}.example.com }}] }}"));
        AssertClean(Load(Services(services)));
    }
}
