using System.Net;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Namespaces;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Cni;

public sealed class ConnectivityTests
{
    [Fact]
    public async Task Two_attached_namespaces_get_addresses_in_the_subnet_and_reach_each_other_and_the_gateway()
    {
        await using var net = new TestNetwork();
        var (a, _, first) = await net.AttachNewAsync();
        var (b, _, second) = await net.AttachNewAsync();

        foreach (var attachment in new[] { first, second })
        {
            Assert.True(net.Options.Subnet.Contains(attachment.Address), $"{attachment.Address} is not in {net.Options.Subnet}");
            Assert.Equal(net.Options.Subnet.PrefixLength, attachment.PrefixLength);
            Assert.Equal(net.Gateway, attachment.Gateway);
            Assert.Equal("eth0", attachment.Interface);
            Assert.NotNull(attachment.HostInterface);
            Assert.True(await HostState.LinkExistsAsync(attachment.HostInterface!), $"host end {attachment.HostInterface} is missing");
        }
        Assert.NotEqual(first.Address, second.Address);

        await PingAsync(a, second.Address);
        await PingAsync(b, first.Address);
        await PingAsync(a, net.Gateway);
        // loopback was brought up too.
        await PingAsync(a, IPAddress.Loopback);
    }

    [Fact]
    public async Task A_server_in_a_namespace_is_reachable_from_the_host_at_its_address()
    {
        await using var net = new TestNetwork();
        var (ns, _, attachment) = await net.AttachNewAsync();
        await net.StartServerAsync(ns, 8080, "hello-direct");

        Assert.Equal("hello-direct", await NamespaceServer.AskFromHostAsync(attachment.Address, 8080));
    }

    [Fact]
    public async Task A_published_port_reaches_the_container_port_from_localhost_the_host_address_and_another_namespace()
    {
        await using var net = new TestNetwork();
        var hostPort = (ushort)Random.Shared.Next(20000, 30000);
        var (server, _, attachment) = await net.AttachNewAsync(new PortMapping(hostPort, 8080));
        var (client, _, _) = await net.AttachNewAsync();
        await net.StartServerAsync(server, 8080, "hello-published");

        Assert.Equal([new PortMapping(hostPort, 8080)], attachment.Ports);
        // From the host itself: portmap's DNAT in OUTPUT, with route_localnet and SNAT on the bridge for 127.0.0.1.
        Assert.Equal("hello-published", await NamespaceServer.AskFromHostAsync(IPAddress.Loopback, hostPort));
        if (await HostState.ExternalAddressAsync() is { } external)
        {
            Assert.Equal("hello-published", await NamespaceServer.AskFromHostAsync(external, hostPort));
        }
        // From another replica through the bridge address: DNAT in PREROUTING and SNAT so the reply comes back the same way.
        Assert.Equal("hello-published", await NamespaceServer.AskFromNamespaceAsync(client, net.Gateway, hostPort));
    }

    private static Task PingAsync(NetworkNamespace from, IPAddress to) =>
        Poll.UntilAsync(
            async () => (await Shell.InNamespaceAsync(from.Name, "busybox", "ping", "-c1", "-W1", to.ToString())).ExitCode == 0,
            $"{from.Name} to ping {to}");
}
