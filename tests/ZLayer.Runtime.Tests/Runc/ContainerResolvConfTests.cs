using ZLayer.Runtime.Runc;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>The resolv.conf a container gets: the spec's servers, else the node DNS, else the host's.</summary>
public sealed class ContainerResolvConfTests : IDisposable
{
    private static readonly NodeResolver Node = new(["10.240.0.1"], ["service.local"]);

    private readonly string _host = Path.GetTempFileName();

    public ContainerResolvConfTests() =>
        File.WriteAllText(_host, "nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad\n");

    public void Dispose() => File.Delete(_host);

    [Fact]
    public void The_node_dns_replaces_the_host_servers_and_its_zone_is_searched_first()
    {
        Assert.Equal(
            "nameserver 10.240.0.1\nsearch service.local corp.example\noptions edns0 trust-ad\n",
            ContainerEtcFiles.ResolvConf([], Node, _host));
    }

    [Fact]
    public void The_spec_servers_win_over_the_node_dns()
    {
        Assert.Equal(
            "nameserver 9.9.9.9\nsearch service.local corp.example\noptions edns0 trust-ad\n",
            ContainerEtcFiles.ResolvConf(["9.9.9.9"], Node, _host));
    }

    [Fact]
    public void Without_the_node_dns_the_host_servers_stay_less_its_loopback_stub()
    {
        Assert.Equal(
            "nameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad\n",
            ContainerEtcFiles.ResolvConf([], null, _host));
    }
}
