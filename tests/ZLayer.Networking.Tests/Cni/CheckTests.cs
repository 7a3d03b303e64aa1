using ZLayer.Networking.Cni;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Cni;

public sealed class CheckTests
{
    [Fact]
    public async Task Check_passes_after_attach_and_names_the_plugin_once_the_interface_is_gone()
    {
        await using var net = new TestNetwork();
        var (ns, containerId, _) = await net.AttachNewAsync(new PortMapping(DetachTests.NewHostPort(), 80));
        await net.Network.CheckAsync(containerId, ns.Path);

        await Shell.OutputAsync("ip", "netns", "exec", ns.Name, "ip", "link", "delete", "eth0");

        var error = await Assert.ThrowsAsync<CniPluginException>(() => net.Network.CheckAsync(containerId, ns.Path));
        Assert.Equal("bridge", error.Plugin);
        Assert.Equal(CniCommand.Check, error.Command);
        Assert.Equal(containerId, error.ContainerId);
        Assert.Contains("CNI plugin 'bridge' CHECK for container " + containerId, error.Message);
    }

    [Fact]
    public async Task Check_names_portmap_when_a_published_ports_forwarding_rules_are_gone()
    {
        await using var net = new TestNetwork();
        var (ns, containerId, _) = await net.AttachNewAsync(new PortMapping(DetachTests.NewHostPort(), 80));
        await net.Network.CheckAsync(containerId, ns.Path);

        // Empty the container's DNAT chain, the target of portmap's jump tagged with the container id.
        var jump = Assert.Single(await HostState.NatRulesForAsync(containerId), r => r.StartsWith("-A CNI-HOSTPORT-DNAT", StringComparison.Ordinal));
        var chain = jump.Split(' ')[^1];
        await Shell.OutputAsync("iptables", "-w", "-t", "nat", "-F", chain);

        var error = await Assert.ThrowsAsync<CniPluginException>(() => net.Network.CheckAsync(containerId, ns.Path));
        Assert.Equal("portmap", error.Plugin);
        Assert.Equal(CniCommand.Check, error.Command);
        Assert.Contains("ipv4", error.PluginMessage);
    }

    [Fact]
    public async Task Check_of_a_container_never_attached_is_refused()
    {
        await using var net = new TestNetwork();
        var ns = await net.CreateNamespaceAsync();

        var error = await Assert.ThrowsAsync<CniNotAttachedException>(() => net.Network.CheckAsync("never-attached", ns.Path));
        Assert.Equal("never-attached", error.ContainerId);
    }
}
