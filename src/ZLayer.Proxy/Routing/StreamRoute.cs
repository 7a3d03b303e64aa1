using ZLayer.Proxy.Balancing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Routing;

/// <summary>The single endpoint a <c>tcp</c> or <c>udp</c> port relays to.</summary>
public sealed class StreamRoute(RouteInput input, BackendPool pool)
{
    public RouteInput Input { get; } = input;

    public BackendPool Pool { get; } = pool;

    /// <summary>The PROXY protocol header to send first, or null for none.</summary>
    public ProxyProtocolVersion? ProxyProtocol =>
        Input.Endpoint.Stream?.ProxyProtocol == true ? Input.Endpoint.Stream.ProxyProtocolVersion ?? ProxyProtocolVersion.V1 : null;

    public TimeSpan? SessionTimeout => Input.Endpoint.Stream?.SessionTimeout?.Value;
}
