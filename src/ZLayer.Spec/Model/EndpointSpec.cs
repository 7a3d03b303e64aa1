using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>A port the node proxy serves for a service, and where it forwards.</summary>
public sealed class EndpointSpec : SpecObject
{
    [SpecRequired]
    public string Name { get; set; } = "";

    [SpecRequired]
    public EndpointProtocol Protocol { get; set; }

    [SpecRequired, SpecDoc("The proxy's listen port on the node (1-65535).")]
    public ushort Port { get; set; }

    [SpecDoc("The port the replica listens on; defaults to port.")]
    public ushort? TargetPort { get; set; }

    [SpecDoc("Path prefix on segment boundaries; longest prefix wins; not stripped.")]
    public string? Path { get; set; }

    [SpecDoc("Exact host or *.example.com wildcard.")]
    public string? Host { get; set; }

    public ExposeMode Expose { get; set; } = ExposeMode.Internal;

    public StreamSpec? Stream { get; set; }

    public string? TargetRole { get; set; }

    public EndpointTunnelSpec? Tunnel { get; set; }

    [SpecDoc("Extension: round_robin (default) | least_requests | power_of_two_choices; how the proxy picks a replica.")]
    public LoadBalancePolicy? LoadBalance { get; set; }

    [SpecDoc("Extension: remove the path prefix before forwarding (/api/v1 reaches the replica as /v1).")]
    public bool? StripPrefix { get; set; }

    public ushort EffectiveTargetPort => TargetPort ?? Port;

    public bool IsHttpLike => Protocol is EndpointProtocol.Http or EndpointProtocol.Https or EndpointProtocol.Websocket;
}

public sealed class StreamSpec : SpecObject
{
    public bool? Tls { get; set; }

    public bool? ProxyProtocol { get; set; }

    [SpecDoc("Extension: v1 (text, default) | v2 (binary); the PROXY protocol header version when proxy_protocol is on.")]
    public ProxyProtocolVersion? ProxyProtocolVersion { get; set; }

    public Duration? SessionTimeout { get; set; }

    public StreamHealthCheckSpec? HealthCheck { get; set; }
}

[SpecUnion("type"), SpecOpen]
public sealed class StreamHealthCheckSpec : SpecObject
{
    [SpecRequired]
    public StreamHealthCheckType Type { get; set; }

    [SpecVariant("udp_probe"), SpecRequired]
    public string? Request { get; set; }

    [SpecVariant("udp_probe")]
    public string? Expect { get; set; }
}

public sealed class EndpointTunnelSpec : SpecObject
{
    public bool Enabled { get; set; }

    public string? From { get; set; }

    public string? To { get; set; }

    public ushort RemotePort { get; set; }

    public ExposeMode? Expose { get; set; }

    public TunnelAccessSpec? Access { get; set; }
}

public sealed class TunnelAccessSpec : SpecObject
{
    public bool Enabled { get; set; }

    public Duration? MaxTtl { get; set; }

    public bool Audit { get; set; }
}
