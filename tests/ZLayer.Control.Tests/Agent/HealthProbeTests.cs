using ZLayer.Control.Agent;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Tests.Agent;

public sealed class HealthProbeTests
{
    private static ServiceSpec Service(string body) =>
        SpecLoader.LoadText($"version: v1\ndeployment: demo\nservices:\n  web:\n    runtime: process\n    command: {{ entrypoint: [x] }}\n{body}", "t.yaml", new LoadOptions { Format = SpecFormat.ZLayer }).Spec!.Services["web"];

    [Fact]
    public void Localhost_urls_point_at_the_replica_and_target_ports_map_to_its_own_port()
    {
        var service = Service("    endpoints: [{ name: http, protocol: http, port: 80, target_port: 3000 }]\n");
        var probe = new HealthProbe(null!, null!, service, "10.0.0.5", new Dictionary<string, int> { ["http"] = 41234 });
        Assert.Equal("http://10.0.0.5:41234/healthz", probe.ResolveUrl("http://localhost:3000/healthz").ToString());
        Assert.Equal("http://10.0.0.5:41234/up", probe.ResolveUrl("/up").ToString());
        Assert.Equal("http://example.com:9000/x", probe.ResolveUrl("http://example.com:9000/x").ToString());
    }

    [Fact]
    public void Default_check_is_tcp_on_the_first_endpoint_and_none_without_endpoints()
    {
        // A TCP-only service is probed where it listens, not on upstream's fallback 8080.
        var withEndpoint = HealthProbe.EffectiveCheck(Service("    endpoints: [{ name: pg, protocol: tcp, port: 5432 }, { name: web, protocol: http, port: 80 }]\n"));
        Assert.Equal(HealthCheckType.Tcp, withEndpoint!.Type);
        Assert.Equal((ushort)5432, withEndpoint.Port);
        Assert.Null(HealthProbe.EffectiveCheck(Service("")));
    }
}
