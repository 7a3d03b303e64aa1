using System.Net;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Hosting;

/// <summary>
/// Where a port listens and who may use an internal endpoint: a port with any public endpoint
/// binds the public address; one with only internal endpoints binds just the internal addresses,
/// so other addresses are refused by the kernel.
/// </summary>
internal sealed class Exposure(NodeProxyOptions options)
{
    private readonly HashSet<IPAddress> internalAddresses = [.. options.InternalAddresses.Select(Normalise)];

    public IReadOnlyList<IPAddress> BindAddresses(PortPlan plan) =>
        plan.Public ? [options.PublicAddress] : options.InternalAddresses;

    /// <summary>Whether a connection arrived on one of the node's internal addresses.</summary>
    public bool IsInternal(IPAddress? local) => local is not null && internalAddresses.Contains(Normalise(local));

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
