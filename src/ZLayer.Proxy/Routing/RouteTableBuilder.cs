using ZLayer.Proxy.Balancing;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Routing;

/// <summary>
/// Turns endpoints and their backends into a <see cref="RouteTable"/>. A port is either one L4
/// endpoint or any number of L7 endpoints of one kind (http/websocket, or https) with distinct
/// host/path routes; anything else is a conflict. Backend counters are taken over from the
/// previous table for backends that stay.
/// </summary>
internal sealed class RouteTableBuilder(RouteTable? previous)
{
    private readonly Dictionary<string, BackendState> carried = previous is null
        ? []
        : previous.Backends().GroupBy(x => StateKey(x.Input, x.Backend.Address)).ToDictionary(g => g.Key, g => g.First().Backend);

    public RouteTableResult Build(IEnumerable<RouteInput> inputs)
    {
        var conflicts = new List<RouteConflict>();
        var groups = inputs.Where(i => i.Endpoint.Port != 0)
            .GroupBy(i => new ListenerKey(i.Endpoint.Port, i.Endpoint.Protocol == EndpointProtocol.Udp))
            .Select(g => (g.Key, Inputs: g.ToList()))
            .ToList();
        foreach (var (key, group) in groups)
        {
            CheckPort(key, group, conflicts);
        }

        // Backend states are only taken over once the whole table is known to be valid, so a
        // rejected table leaves the running one untouched.
        return conflicts.Count > 0
            ? new RouteTableResult(null, conflicts)
            : new RouteTableResult(new RouteTable(groups.ToDictionary(g => g.Key, g => Plan(g.Key, g.Inputs))), []);
    }

    private static void CheckPort(ListenerKey key, List<RouteInput> inputs, List<RouteConflict> conflicts)
    {
        var first = inputs[0];
        var kind = KindOf(first.Endpoint.Protocol);
        var routes = new Dictionary<(string Host, string Path), RouteInput>();
        foreach (var input in inputs)
        {
            var other = first;
            string? reason = null;
            var inputKind = KindOf(input.Endpoint.Protocol);
            if (inputKind != kind)
            {
                reason = $"one port cannot serve both {Describe(kind)} and {Describe(inputKind)}";
            }
            else if (kind is ListenerKind.Tcp or ListenerKind.Udp)
            {
                reason = ReferenceEquals(input, first) ? null : $"a {Describe(kind)} port belongs to one endpoint";
            }
            else if (!routes.TryAdd((input.Endpoint.Host?.ToLowerInvariant() ?? "", NormalisePath(input.Endpoint.Path)), input))
            {
                other = routes[(input.Endpoint.Host?.ToLowerInvariant() ?? "", NormalisePath(input.Endpoint.Path))];
                reason = $"same route: {input.Endpoint.Host ?? "any host"}, path {(NormalisePath(input.Endpoint.Path) is { Length: > 0 } p ? p : "/")}";
            }

            if (reason is not null)
            {
                conflicts.Add(new RouteConflict(key.Port, input.Endpoint.Name, input.Owner, other.Endpoint.Name, other.Owner, reason));
            }
        }

    }

    private PortPlan Plan(ListenerKey key, List<RouteInput> inputs)
    {
        var first = inputs[0];
        var kind = KindOf(first.Endpoint.Protocol);
        if (kind is ListenerKind.Tcp or ListenerKind.Udp)
        {
            return new PortPlan(key, kind, null, new StreamRoute(first, PoolFor(first)));
        }

        var httpRoutes = inputs.Select(i => new HttpRoute(i, i.Endpoint.Host?.ToLowerInvariant(), NormalisePath(i.Endpoint.Path), PoolFor(i)));
        return new PortPlan(key, kind, new HttpRouteMatcher(httpRoutes), null);
    }

    private BackendPool PoolFor(RouteInput input)
    {
        var states = input.Backends.Select(address =>
        {
            if (carried.TryGetValue(StateKey(input, address), out var state))
            {
                state.Address = address;
                return state;
            }

            return new BackendState(address);
        }).ToList();
        return new BackendPool(states, input.Endpoint.LoadBalance ?? LoadBalancePolicy.RoundRobin);
    }

    private static string StateKey(RouteInput input, BackendAddress address) =>
        $"{input.Owner}/{input.Endpoint.Name}/{address.ReplicaId}@{address.Host}:{address.Port}";

    /// <summary>"/", "" and null all mean every path; a trailing slash does not change the prefix.</summary>
    internal static string NormalisePath(string? path) => path is null ? "" : path.TrimEnd('/');

    private static ListenerKind KindOf(EndpointProtocol protocol) => protocol switch
    {
        EndpointProtocol.Http or EndpointProtocol.Websocket => ListenerKind.Http,
        EndpointProtocol.Https => ListenerKind.Https,
        EndpointProtocol.Udp => ListenerKind.Udp,
        _ => ListenerKind.Tcp,
    };

    private static string Describe(ListenerKind kind) => kind switch
    {
        ListenerKind.Http => "http",
        ListenerKind.Https => "https",
        ListenerKind.Udp => "udp",
        _ => "tcp",
    };
}
