using System.Net;

namespace ZLayer.Networking.Host;

/// <summary>
/// The node's container bridge, brought up before the first container: the node DNS server and
/// the proxy's internal listeners bind the gateway address at daemon start, and CNI's bridge
/// plugin would otherwise only create it when it attaches the first replica. The plugin takes
/// over an existing bridge that already carries its gateway address as it is.
/// </summary>
public static class NodeBridge
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The gateway of a container subnet: its first address, which the bridge carries.</summary>
    public static IPAddress Gateway(IPNetwork subnet)
    {
        var bytes = subnet.BaseAddress.GetAddressBytes();
        bytes[^1]++;
        return new IPAddress(bytes);
    }

    /// <summary>Creates the bridge when missing, gives it the gateway address and sets it up; returns the gateway.</summary>
    public static async Task<IPAddress> EnsureAsync(string bridge, IPNetwork subnet, CancellationToken ct)
    {
        var ip = HostCommand.Resolve("ip", "iproute2");
        var gateway = Gateway(subnet);
        var show = await HostCommand.RunAsync(ip, ["link", "show", "dev", bridge], Timeout, ct);
        if (show.ExitCode != 0)
        {
            await HostCommand.RunCheckedAsync(ip, ["link", "add", "name", bridge, "type", "bridge"], Timeout, ct);
        }

        await HostCommand.RunCheckedAsync(ip, ["addr", "replace", $"{gateway}/{subnet.PrefixLength}", "dev", bridge], Timeout, ct);
        await HostCommand.RunCheckedAsync(ip, ["link", "set", "dev", bridge, "up"], Timeout, ct);
        return gateway;
    }
}
