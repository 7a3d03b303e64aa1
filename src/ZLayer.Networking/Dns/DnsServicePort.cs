using ZLayer.Networking.Cni;

namespace ZLayer.Networking.Dns;

/// <summary>A port a service serves, named by its endpoint; SRV names are <c>_&lt;endpoint&gt;._&lt;tcp|udp&gt;</c>.</summary>
public sealed record DnsServicePort(string Endpoint, PortProtocol Protocol, int Port);
