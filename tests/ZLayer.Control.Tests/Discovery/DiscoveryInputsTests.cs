using System.Net;
using ZLayer.Control.Discovery;
using ZLayer.Control.Model;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Tests.Discovery;

/// <summary>Which replicas the proxy and DNS are given, at which address and port.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiscoveryInputsTests
{
    private static readonly DeploymentSpec Shop = SpecLoader.LoadText("""
        version: v1
        deployment: shop
        services:
          web:
            runtime: process
            command: { entrypoint: [sleep, "60"] }
            endpoints: [{ name: http, protocol: http, port: 8080, target_port: 80 }]
        externals:
          billing:
            backends: ["10.9.0.5:9000", "[fd00::7]:9000"]
            endpoints: [{ name: api, protocol: tcp, port: 9100 }]
        """, "shop.yaml", new LoadOptions { Format = SpecFormat.ZLayer }).Spec!;

    private static ReplicaStatus Status(int index, ReplicaState state, HealthState health, string? address, int? port) =>
        new($"shop.web.{index}", "shop", "web", index, "node-1", state, health, "h", null, null, address,
            port is { } p ? new Dictionary<string, int> { ["http"] = p } : new Dictionary<string, int>(), 0, null, null, null, DateTimeOffset.UnixEpoch);

    private static readonly ReplicaStatus[] Statuses =
    [
        Status(1, ReplicaState.Running, HealthState.Healthy, "127.0.0.1", 40001),
        Status(2, ReplicaState.Running, HealthState.Unhealthy, "127.0.0.1", 40002),
        Status(3, ReplicaState.Stopping, HealthState.Healthy, "127.0.0.1", 40003),
        Status(4, ReplicaState.Running, HealthState.Healthy, "10.240.0.7", null),
        Status(5, ReplicaState.Starting, HealthState.Starting, null, 40005),
    ];

    [Fact]
    public void Routes_take_healthy_running_replicas_at_their_recorded_port_and_stopping_ones_as_draining()
    {
        var routes = DiscoveryInputs.Routes([("shop", Shop)], Statuses);

        var web = Assert.Single(routes, r => r.Service == "web");
        Assert.Equal(
            ["shop.web.1@127.0.0.1:40001", "shop.web.3@127.0.0.1:40003", "shop.web.4@10.240.0.7:80"],
            web.Backends.Select(b => b.ToString()));
        Assert.Equal([false, true, false], web.Backends.Select(b => b.Draining));

        var billing = Assert.Single(routes, r => r.Service == "billing");
        Assert.Equal(9100, billing.Endpoint.Port);
        Assert.Equal([("10.9.0.5", 9000), ("fd00::7", 9000)], billing.Backends.Select(b => (b.Host, b.Port)));
    }

    [Fact]
    public void Dns_names_only_the_healthy_running_replicas_with_the_endpoint_target_port()
    {
        var directory = DiscoveryInputs.Directory([("shop", Shop)], Statuses);

        var web = Assert.Single(directory.Services);
        Assert.Equal([1, 4], web.Replicas.Select(r => r.Index));
        Assert.Equal([IPAddress.Loopback, IPAddress.Parse("10.240.0.7")], web.Replicas.Select(r => r.IPv4));
        Assert.Equal(80, Assert.Single(web.Ports).Port);
    }
}
