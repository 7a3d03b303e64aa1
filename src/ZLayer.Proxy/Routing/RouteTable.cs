using ZLayer.Proxy.Balancing;

namespace ZLayer.Proxy.Routing;

/// <summary>
/// The proxy's whole routing state: what each listening port serves. Immutable; a new table is
/// built for every change and swapped in as one reference, so a request sees either the old
/// routes or the new ones, never a mixture.
/// </summary>
public sealed class RouteTable
{
    internal RouteTable(IReadOnlyDictionary<ListenerKey, PortPlan> ports) => Ports = ports;

    public static RouteTable Empty { get; } = new(new Dictionary<ListenerKey, PortPlan>());

    public IReadOnlyDictionary<ListenerKey, PortPlan> Ports { get; }

    /// <summary>Builds a table, or returns the conflicts that prevent one. See <see cref="RouteTableBuilder"/>.</summary>
    public static RouteTableResult Build(IEnumerable<RouteInput> inputs, RouteTable? previous = null) =>
        new RouteTableBuilder(previous).Build(inputs);

    /// <summary>Every backend of every route, with its endpoint.</summary>
    public IEnumerable<(RouteInput Input, BackendState Backend)> Backends() =>
        Ports.Values.SelectMany(p => p.Http is not null
            ? p.Http.Routes.SelectMany(r => r.Pool.Backends.Select(b => (r.Input, b)))
            : p.Stream!.Pool.Backends.Select(b => (p.Stream.Input, b)));
}
