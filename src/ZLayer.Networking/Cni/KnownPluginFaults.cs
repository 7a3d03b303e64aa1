using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>Plugin errors that are known plugin bugs rather than findings about the container, recognised narrowly.</summary>
internal static class KnownPluginFaults
{
    /// <summary>
    /// containernetworking/plugins#819: portmap up to 1.1.x, on CHECK, looks for IPv6 DNAT rules
    /// even for a container without an IPv6 address, for which ADD never made any, so CHECK of every
    /// IPv4-only container with published ports fails. It checks the IPv4 rules first, so by the
    /// time it reports this, those were found intact. Recognised only for portmap, only for this
    /// message, and only when the ADD result has no IPv6 address; any other failure still fails CHECK.
    /// </summary>
    public static bool IsSpuriousCheckFailure(CniPluginException error, JsonObject prevResult)
    {
        if (error.Plugin != "portmap" || error.Command != CniCommand.Check
            || !error.PluginMessage.StartsWith("could not check ipv6 dnat", StringComparison.Ordinal))
        {
            return false;
        }
        return !CniResultReader.Read(prevResult).Ips.Any(ip => ip.Address.AddressFamily == AddressFamily.InterNetworkV6);
    }
}
