using System.Net;

namespace ZLayer.Networking.Cni;

/// <summary>
/// A replica's place on ZLayer's network: its address on <see cref="Interface"/> inside
/// <see cref="NetnsPath"/>, the gateway (the bridge) and the host end of its veth pair.
/// </summary>
public sealed record NetworkAttachment(
    string ContainerId,
    string NetnsPath,
    string Interface,
    IPAddress Address,
    int PrefixLength,
    IPAddress? Gateway,
    string? Mac,
    string? HostInterface,
    IReadOnlyList<PortMapping> Ports);
