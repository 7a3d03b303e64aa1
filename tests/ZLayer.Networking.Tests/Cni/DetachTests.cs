using ZLayer.Networking.Cni;
using ZLayer.Networking.Tests.Support;

namespace ZLayer.Networking.Tests.Cni;

public sealed class DetachTests
{
    [Fact]
    public async Task Detach_leaves_no_veth_no_reservation_no_nat_rules_and_a_second_detach_is_fine()
    {
        await using var net = new TestNetwork();
        var chainsBefore = await HostState.NatChainsAsync();
        var (ns, containerId, attachment) = await net.AttachNewAsync(new PortMapping(NewHostPort(), 80), new PortMapping(NewHostPort(), 53, PortProtocol.Udp));
        Assert.Contains(HostState.Reservations(net.Network.IpamDirectory, net.Options.NetworkName), r => r.StartsWith(attachment.Address + ":") && r.Contains(containerId));
        Assert.NotEmpty(await HostState.NatRulesForAsync(containerId));

        await net.Network.DetachAsync(containerId, ns.Path);

        await AssertReleasedAsync(net, containerId, attachment, chainsBefore);
        Assert.Null(net.Network.FindAttachment(containerId));
        Assert.Empty(Directory.GetFiles(net.Network.CacheDirectory));

        await net.Network.DetachAsync(containerId, ns.Path);
        await AssertReleasedAsync(net, containerId, attachment, chainsBefore);
    }

    [Fact]
    public async Task Detach_after_the_namespace_was_deleted_still_releases_everything()
    {
        await using var net = new TestNetwork();
        var chainsBefore = await HostState.NatChainsAsync();
        var (ns, containerId, attachment) = await net.AttachNewAsync(new PortMapping(NewHostPort(), 80));

        await net.DeleteNamespaceAsync(ns);
        Assert.False(File.Exists(ns.Path));
        await net.Network.DetachAsync(containerId, ns.Path);

        await AssertReleasedAsync(net, containerId, attachment, chainsBefore);
        await net.Network.DetachAsync(containerId, ns.Path);
    }

    [Fact]
    public async Task After_a_daemon_restart_a_new_instance_finds_checks_and_detaches_from_the_cache()
    {
        await using var net = new TestNetwork();
        var chainsBefore = await HostState.NatChainsAsync();
        var mapping = new PortMapping(NewHostPort(), 8080);
        var (ns, containerId, attachment) = await net.AttachNewAsync(mapping);

        var restarted = new CniNetwork(net.Options);
        var found = restarted.FindAttachment(containerId);
        Assert.NotNull(found);
        Assert.Equal(attachment.Address, found.Address);
        Assert.Equal([mapping], found.Ports);
        Assert.Contains(restarted.ListAttachments(), a => a.ContainerId == containerId);
        await restarted.CheckAsync(containerId, ns.Path);

        await restarted.DetachAsync(containerId, ns.Path);

        await AssertReleasedAsync(net, containerId, attachment, chainsBefore);
    }

    [Fact]
    public async Task Without_a_cached_result_detach_still_releases_by_container_id()
    {
        // A crash between the plugins' ADD and the cache write leaves exactly this.
        await using var net = new TestNetwork();
        var chainsBefore = await HostState.NatChainsAsync();
        var (ns, containerId, attachment) = await net.AttachNewAsync(new PortMapping(NewHostPort(), 80));
        foreach (var file in Directory.GetFiles(net.Network.CacheDirectory))
        {
            File.Delete(file);
        }

        await net.Network.DetachAsync(containerId, ns.Path);

        await AssertReleasedAsync(net, containerId, attachment, chainsBefore);
    }

    [Fact]
    public async Task Detach_with_another_namespace_than_the_attach_is_refused()
    {
        await using var net = new TestNetwork();
        var (_, containerId, _) = await net.AttachNewAsync();
        var other = await net.CreateNamespaceAsync();

        var error = await Assert.ThrowsAsync<CniConfigurationException>(() => net.Network.DetachAsync(containerId, other.Path));
        Assert.Contains(other.Path, error.Message);
        Assert.NotNull(net.Network.FindAttachment(containerId));
    }

    [Fact]
    public async Task A_second_attach_without_a_detach_is_refused_and_the_first_stays()
    {
        await using var net = new TestNetwork();
        var (ns, containerId, attachment) = await net.AttachNewAsync();

        var error = await Assert.ThrowsAsync<CniConfigurationException>(() => net.Network.AttachAsync(containerId, ns.Path, []));

        Assert.Equal($"container {containerId} is already attached to network {net.Options.NetworkName}; detach it before attaching again", error.Message);
        Assert.Equal(attachment.Address, net.Network.FindAttachment(containerId)?.Address);
        await net.Network.CheckAsync(containerId, ns.Path);
    }

    [Fact]
    public async Task A_corrupt_cache_file_is_reported_with_its_path()
    {
        await using var net = new TestNetwork();
        var (_, containerId, _) = await net.AttachNewAsync();
        var file = Assert.Single(Directory.GetFiles(net.Network.CacheDirectory, $"{net.Options.NetworkName}:*"));
        File.WriteAllText(file, "{\"kind\":\"zlayer-cni-attachment\",\"formatVersion\":1,\"network\":");

        var error = Assert.Throws<CniCacheException>(() => net.Network.FindAttachment(containerId));
        Assert.Equal(file, error.FilePath);
        Assert.Contains("not valid JSON", error.Message);
    }

    internal static ushort NewHostPort() => (ushort)Random.Shared.Next(30000, 40000);

    internal static async Task AssertReleasedAsync(TestNetwork net, string containerId, NetworkAttachment attachment, IReadOnlySet<string> chainsBefore)
    {
        // A deleted namespace is torn down by the kernel asynchronously, veth pairs with it.
        await Poll.UntilAsync(async () => !await HostState.LinkExistsAsync(attachment.HostInterface!), $"veth {attachment.HostInterface} to be gone");
        await Poll.UntilAsync(async () => await HostState.BridgePortsAsync(net.Options.BridgeName) == "", $"bridge {net.Options.BridgeName} to have no ports");
        Assert.DoesNotContain(HostState.Reservations(net.Network.IpamDirectory, net.Options.NetworkName), r => r.Contains(containerId));
        Assert.False(File.Exists(Path.Combine(net.Network.IpamDirectory, net.Options.NetworkName, attachment.Address.ToString())));
        Assert.Empty(await HostState.NatRulesForAsync(containerId));
        var left = (await HostState.NatChainsAsync()).Except(chainsBefore).Except(HostState.SharedPortmapChains).ToList();
        Assert.True(left.Count == 0, $"nat chains left behind: {string.Join(", ", left)}");
    }
}
