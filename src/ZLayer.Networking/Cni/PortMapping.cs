using System.Net;

namespace ZLayer.Networking.Cni;

/// <summary>
/// A host port forwarded to a replica's port by the portmap plugin. <paramref name="HostIp"/> null
/// (or 0.0.0.0) forwards on every host address.
/// </summary>
public sealed record PortMapping(ushort HostPort, ushort ContainerPort, PortProtocol Protocol = PortProtocol.Tcp, IPAddress? HostIp = null)
{
    public override string ToString() =>
        $"{(HostIp is null ? "" : HostIp + ":")}{HostPort}->{ContainerPort}/{Protocol.ToString().ToLowerInvariant()}";
}
