using ZLayer.Proxy.Routing;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Tests;

public class SpecExtensionTests
{
    [Fact]
    public void Endpoint_extension_keys_load_from_a_spec_and_shape_the_route_table()
    {
        var result = Load("""
                  - name: http
                    protocol: http
                    port: 8080
                    path: /api
                    strip_prefix: true
                    load_balance: least_requests
                  - name: pg
                    protocol: tcp
                    port: 5432
                    stream: { proxy_protocol: true, proxy_protocol_version: v2 }
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var endpoints = result.Spec!.Services["api"].Endpoints;
        var backend = new BackendAddress("127.0.0.1", 1, "r1");
        var table = RouteTable.Build(endpoints.Select(e => new RouteInput("shop", "api", e, [backend]))).Table!;

        var http = table.Ports[new ListenerKey(8080, false)].Http!.Routes[0];
        Assert.Equal(LoadBalancePolicy.LeastRequests, http.Pool.Policy);
        Assert.Equal("/v1", http.BackendPath("/api/v1"));
        Assert.Equal(ProxyProtocolVersion.V2, table.Ports[new ListenerKey(5432, false)].Stream!.ProxyProtocol);
    }

    [Fact]
    public void An_unknown_load_balance_value_is_an_error_naming_the_choices()
    {
        var result = Load("""
                  - { name: http, protocol: http, port: 8080, load_balance: random }
            """);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.ToString().Contains("round_robin, least_requests, power_of_two_choices", StringComparison.Ordinal));
    }

    /// <summary>A one-service spec whose endpoints list is <paramref name="endpoints"/> (indented as a list item under it).</summary>
    private static LoadResult Load(string endpoints) => SpecLoader.LoadText($$"""
        version: v1
        deployment: shop
        services:
          api:
            image: { name: "nginx:alpine" }
            endpoints:
        {{endpoints}}
        """, "shop.yaml");
}
