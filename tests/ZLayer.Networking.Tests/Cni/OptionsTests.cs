using System.Net;
using ZLayer.Networking.Cni;

namespace ZLayer.Networking.Tests.Cni;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("subnet", "fd00::/64", "is not IPv4")]
    [InlineData("subnet", "10.9.0.0/31", "too small")]
    [InlineData("bridge", "zlayer-bridge-name", "at most 15")]
    [InlineData("bridge", "br:0", "must not contain '/', ':'")]
    [InlineData("interface", "lo", "taken by the loopback")]
    [InlineData("network", "-zlayer", "must start with a letter or digit")]
    [InlineData("network", "zlayer net", "contains ' '")]
    [InlineData("data", "relative/dir", "must be an absolute path")]
    [InlineData("plugins", "/usr/lib/cni:/opt/cni/bin", "separates entries of CNI_PATH")]
    public void Options_that_cannot_work_are_refused_naming_the_option(string option, string value, string expected)
    {
        var options = option switch
        {
            "subnet" => With(subnet: IPNetwork.Parse(value)),
            "bridge" => With(bridge: value),
            "interface" => With(interfaceName: value),
            "network" => With(network: value),
            "data" => With(data: value),
            "plugins" => With(plugins: [value]),
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };

        var error = Assert.Throws<CniConfigurationException>(() => new CniNetwork(options));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_defaults_are_zlayers_network()
    {
        var options = Defaults();
        options.Validate();
        Assert.Equal("zlayer", options.NetworkName);
        Assert.Equal("zlayer0", options.BridgeName);
        Assert.Equal(IPNetwork.Parse("10.240.0.0/24"), options.Subnet);
        Assert.Equal(["/usr/lib/cni"], options.PluginDirectories);
    }

    [Theory]
    [InlineData(0, 80, "the host port must be chosen")]
    [InlineData(8080, 0, "container port 0")]
    public async Task Port_mappings_that_portmap_cannot_set_up_are_refused(int hostPort, int containerPort, string expected)
    {
        var network = new CniNetwork(Defaults());
        var error = await Assert.ThrowsAsync<CniConfigurationException>(() =>
            network.AttachAsync("c1", "/proc/self/ns/net", [new PortMapping((ushort)hostPort, (ushort)containerPort)]));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Two_mappings_of_one_host_port_are_refused()
    {
        var network = new CniNetwork(Defaults());
        var error = await Assert.ThrowsAsync<CniConfigurationException>(() =>
            network.AttachAsync("c1", "/proc/self/ns/net", [new PortMapping(8080, 80), new PortMapping(8080, 81, HostIp: IPAddress.Parse("127.0.0.1"))]));
        Assert.Equal("port mappings 8080->80/tcp and 127.0.0.1:8080->81/tcp both claim host port 8080/tcp", error.Message);
    }

    [Theory]
    [InlineData("", "container id must not be empty")]
    [InlineData("_c1", "container id '_c1' must start with a letter or digit")]
    [InlineData("c1/../x", "container id 'c1/../x' contains '/'")]
    public async Task Container_ids_outside_the_specifications_alphabet_are_refused(string containerId, string expected)
    {
        var network = new CniNetwork(Defaults());
        var error = await Assert.ThrowsAsync<CniConfigurationException>(() => network.AttachAsync(containerId, "/proc/self/ns/net", []));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Attaching_to_a_namespace_that_does_not_exist_is_refused()
    {
        var network = new CniNetwork(Defaults());
        var error = await Assert.ThrowsAsync<CniConfigurationException>(() => network.AttachAsync("c1", "/run/netns/zlayer-no-such-namespace", []));
        Assert.Equal("cannot attach container c1: network namespace /run/netns/zlayer-no-such-namespace does not exist", error.Message);
    }

    private static CniOptions Defaults() => new() { DataDirectory = "/tmp/zlayer-cni-options" };

    private static CniOptions With(IPNetwork? subnet = null, string? bridge = null, string? interfaceName = null, string? network = null, string? data = null, IReadOnlyList<string>? plugins = null)
    {
        var defaults = Defaults();
        return new CniOptions
        {
            DataDirectory = data ?? defaults.DataDirectory,
            Subnet = subnet ?? defaults.Subnet,
            BridgeName = bridge ?? defaults.BridgeName,
            InterfaceName = interfaceName ?? defaults.InterfaceName,
            NetworkName = network ?? defaults.NetworkName,
            PluginDirectories = plugins ?? defaults.PluginDirectories,
        };
    }
}
