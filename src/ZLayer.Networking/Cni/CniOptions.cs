using System.Net;
using System.Net.Sockets;

namespace ZLayer.Networking.Cni;

/// <summary>How ZLayer's CNI network is set up, and where its plugins and state live.</summary>
public sealed class CniOptions
{
    /// <summary>The subnet replicas get addresses from unless configured otherwise.</summary>
    public static readonly IPNetwork DefaultSubnet = IPNetwork.Parse("10.240.0.0/24");

    /// <summary>
    /// ZLayer's CNI state: cached ADD results (<c>results/</c>) and host-local's address
    /// reservations (<c>ipam/NETWORK/</c>), so both live and are backed up with the rest of our state.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>Where plugin executables are looked up, in order; passed to plugins as CNI_PATH so bridge finds host-local.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = ["/usr/lib/cni"];

    /// <summary>The CNI network name: a key of host-local's reservations and of the iptables rules plugins create.</summary>
    public string NetworkName { get; init; } = "zlayer";

    public string BridgeName { get; init; } = "zlayer0";

    /// <summary>IPv4 subnet for replicas; its first address is the bridge (the replicas' gateway).</summary>
    public IPNetwork Subnet { get; init; } = DefaultSubnet;

    /// <summary>The interface name inside each replica's namespace.</summary>
    public string InterfaceName { get; init; } = "eth0";

    /// <summary>Limit for one plugin invocation; a plugin past it is killed with its children (iptables).</summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="CniConfigurationException"/> naming the first option that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(DataDirectory) || !Path.IsPathRooted(DataDirectory))
        {
            throw new CniConfigurationException($"CNI data directory '{DataDirectory}' must be an absolute path");
        }
        if (PluginDirectories.Count == 0)
        {
            throw new CniConfigurationException("at least one CNI plugin directory is needed");
        }
        foreach (var directory in PluginDirectories)
        {
            if (string.IsNullOrEmpty(directory) || !Path.IsPathRooted(directory))
            {
                throw new CniConfigurationException($"CNI plugin directory '{directory}' must be an absolute path");
            }
            if (directory.Contains(':'))
            {
                throw new CniConfigurationException($"CNI plugin directory '{directory}' contains ':', which separates entries of CNI_PATH");
            }
        }
        CniNames.CheckIdentifier(NetworkName, "CNI network name");
        CniNames.CheckInterfaceName(BridgeName, "bridge name");
        CniNames.CheckInterfaceName(InterfaceName, "container interface name");
        if (InterfaceName == "lo")
        {
            throw new CniConfigurationException("container interface name 'lo' is taken by the loopback interface");
        }
        if (Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new CniConfigurationException($"subnet {Subnet} is not IPv4; ZLayer's bridge network is IPv4 only");
        }
        // A /30 is the smallest with room for the gateway and one replica beside the network and broadcast addresses.
        if (Subnet.PrefixLength > 30)
        {
            throw new CniConfigurationException($"subnet {Subnet} is too small: it needs room for the gateway and at least one replica (a /30 or larger)");
        }
        if (PluginTimeout <= TimeSpan.Zero)
        {
            throw new CniConfigurationException($"CNI plugin timeout must be positive, not {PluginTimeout}");
        }
    }
}
