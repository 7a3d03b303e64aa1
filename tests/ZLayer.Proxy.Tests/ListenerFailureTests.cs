using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Tests.Support;
using ZLayer.Spec.Model;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

/// <summary>A port another program holds does not keep the table's other ports from being served.</summary>
public class ListenerFailureTests
{
    [Fact]
    public async Task A_busy_port_is_reported_the_others_serve_and_it_opens_once_free()
    {
        await using var web = await TestBackend.StartAsync("web");
        await using var proxy = ProxyHarness.Create();
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        var tcpBusy = Ports.Free();
        var free = Ports.Free();
        var table = Table(
            Input("busy", Endpoint(busy, name: "held"), web.Address()),
            Input("free", Endpoint(free), web.Address()),
            Input("relay", Endpoint(tcpBusy, EndpointProtocol.Tcp, name: "raw"), web.Address()));
        using (var tcpHolder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            tcpHolder.Bind(new IPEndPoint(IPAddress.Loopback, tcpBusy));
            tcpHolder.Listen();

            var failed = await Assert.ThrowsAsync<ListenerBindException>(() => proxy.Proxy.ApplyAsync(table));
            Assert.Equal(2, failed.Failures.Count);
            Assert.Contains(failed.Failures, f => f.StartsWith($"cannot listen on port {busy}:", StringComparison.Ordinal));
            Assert.Contains(failed.Failures, f => f.StartsWith($"cannot listen on 127.0.0.1 tcp port {tcpBusy}:", StringComparison.Ordinal));
            Assert.Equal("web /x", (await proxy.GetAsync($"http://127.0.0.1:{free}/x")).Body);
            Assert.Same(table, proxy.Proxy.Routes);
        }

        holder.Stop();
        await proxy.Proxy.ApplyAsync(table);
        Assert.Equal("web /y", (await proxy.GetAsync($"http://127.0.0.1:{busy}/y")).Body);
        using var relayed = new TcpClient();
        await relayed.ConnectAsync(IPAddress.Loopback, tcpBusy);
    }
}
