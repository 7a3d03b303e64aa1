using ZLayer.Control.Discovery;
using ZLayer.Control.Tests.Scheduling;

namespace ZLayer.Control.Tests.Discovery;

/// <summary>A deploy whose endpoints cannot share the node proxy with those deployed is refused, with the proxy's message.</summary>
public sealed class EndpointConflictTests : SchedulingFixture
{
    private static string Spec(string deployment, string endpoint) => $$"""
        version: v1
        deployment: {{deployment}}
        services:
          web:
            runtime: process
            command: { entrypoint: [sleep, "60"] }
            endpoints:
              - {{endpoint}}
        """;

    [Fact]
    public async Task Same_route_or_l4_beside_l7_on_a_port_is_refused_other_hosts_and_redeploys_are_not()
    {
        Assert.True((await Control.DeployAsync(Spec("shop", "{ name: http, protocol: http, port: 8080 }"), "shop.yaml", "test")).Accepted);

        var same = await Control.DeployAsync(Spec("other", "{ name: site, protocol: http, port: 8080, path: / }"), "other.yaml", "test");
        Assert.False(same.Accepted);
        var error = Assert.Single(same.Diagnostics);
        Assert.Equal(EndpointConflicts.Code, error.Code);
        Assert.Equal("port 8080: endpoint 'site' of other/web conflicts with endpoint 'http' of shop/web (same route: any host, path /)", error.Message);
        Assert.Equal("other.yaml", error.Location.File);
        Assert.True(error.Location.IsKnown, "the location names the conflicting endpoint's line");

        var l4 = await Control.DeployAsync(Spec("database", "{ name: pg, protocol: tcp, port: 8080 }"), "db.yaml", "test");
        Assert.False(l4.Accepted);
        Assert.Contains("one port cannot serve both http and tcp", Assert.Single(l4.Diagnostics).Message);
        Assert.Contains("shop/web", l4.Diagnostics[0].Message);

        Assert.True((await Control.DeployAsync(Spec("blog", "{ name: http, protocol: http, port: 8080, host: blog.example.com }"), "blog.yaml", "test")).Accepted);
        Assert.True((await Control.DeployAsync(Spec("shop", "{ name: http, protocol: http, port: 8080, path: / }"), "shop.yaml", "test")).Accepted);
        Assert.Equal(["blog", "shop"], (await Repository.DeploymentsAsync()).Select(d => d.Name).Order());
    }
}
