using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Routing;

/// <summary>
/// Everything one listening port serves. <see cref="Public"/> decides where the listener binds:
/// all addresses when any endpoint on it is public, only the internal addresses otherwise.
/// </summary>
public sealed class PortPlan(ListenerKey key, ListenerKind kind, HttpRouteMatcher? http, StreamRoute? stream)
{
    public ListenerKey Key { get; } = key;

    public ListenerKind Kind { get; } = kind;

    public HttpRouteMatcher? Http { get; } = http;

    public StreamRoute? Stream { get; } = stream;

    public bool Public =>
        Http is not null ? Http.Routes.Any(r => r.Expose == ExposeMode.Public) : Stream!.Input.Endpoint.Expose == ExposeMode.Public;

    /// <summary>Two plans with the same binding can swap on a running listener; otherwise it is reopened.</summary>
    public bool SameBinding(PortPlan other) => Kind == other.Kind && Public == other.Public;
}
