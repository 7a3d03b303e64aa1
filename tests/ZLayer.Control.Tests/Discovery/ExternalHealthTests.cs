using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ZLayer.Control.Discovery;
using ZLayer.Spec.Loading;

namespace ZLayer.Control.Tests.Discovery;

/// <summary>An external's backends with a health block are routed only while their check passes.</summary>
public sealed class ExternalHealthTests
{
    private static int ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_backend_serves_after_a_passing_check_and_leaves_after_its_retries_fail()
    {
        var up = new TcpListener(IPAddress.Loopback, 0);
        up.Start();
        var upBackend = $"127.0.0.1:{((IPEndPoint)up.LocalEndpoint).Port}";
        var downBackend = $"127.0.0.1:{ClosedPort().ToString(CultureInfo.InvariantCulture)}";
        var spec = SpecLoader.LoadText($$"""
            version: v1
            deployment: shop
            services: {}
            externals:
              billing:
                backends: ["{{upBackend}}", "{{downBackend}}"]
                endpoints: [{ name: api, protocol: tcp, port: 9100 }]
                health: { interval: 100ms, timeout: 1s, retries: 2, check: { type: tcp } }
            """, "shop.yaml", new LoadOptions { Format = SpecFormat.ZLayer }).Spec!;
        var changes = 0;
        await using var health = new ExternalHealth(() => Interlocked.Increment(ref changes));
        await health.TrackAsync([("shop", spec)]);

        await UntilAsync(() => health.IsServing("shop", "billing", upBackend), "the listening backend to serve");
        Assert.False(health.IsServing("shop", "billing", downBackend));
        var routed = Assert.Single(DiscoveryInputs.Routes([("shop", spec)], [], health.IsServing));
        Assert.Equal([upBackend], routed.Backends.Select(b => $"{b.Host}:{b.Port}"));
        Assert.True(Volatile.Read(ref changes) >= 1, "a change wakes the routes");

        up.Stop();
        await UntilAsync(() => !health.IsServing("shop", "billing", upBackend), "the stopped backend to leave");
        Assert.Empty(Assert.Single(DiscoveryInputs.Routes([("shop", spec)], [], health.IsServing)).Backends);

        // Without a health block the backends always serve.
        await health.TrackAsync([]);
        Assert.True(health.IsServing("shop", "billing", downBackend));
    }
}
