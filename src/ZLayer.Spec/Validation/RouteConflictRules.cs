using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>
/// Two endpoints may share a node port only when the proxy can tell their traffic apart: L7
/// endpoints of one kind (plain HTTP/WebSocket, or TLS) with different host/path routes. Anything
/// else would make the proxy pick a backend arbitrarily, so it is refused here (SPEC.md Part A item 4).
/// </summary>
internal static class RouteConflictRules
{
    private sealed record Claim(string Owner, EndpointSpec Endpoint)
    {
        public string Listener => Endpoint.Protocol switch
        {
            EndpointProtocol.Http or EndpointProtocol.Websocket => "http",
            EndpointProtocol.Https => "https",
            EndpointProtocol.Udp => "udp",
            _ => "tcp",
        };

        public bool IsUdp => Endpoint.Protocol == EndpointProtocol.Udp;

        public string Host => Endpoint.Host?.ToLowerInvariant() ?? "*any*";

        public string Path => Endpoint.Path is null or "/" ? "/" : Endpoint.Path.TrimEnd('/');
    }

    public static void Validate(ValidationContext ctx)
    {
        var claims = ctx.Spec.Services.Values.SelectMany(s => s.Endpoints.Select(e => new Claim($"service '{s.Name}'", e)))
            .Concat(ctx.Spec.Externals.SelectMany(x => x.Value.Endpoints.Select(e => new Claim($"external '{x.Key}'", e))))
            .Where(c => c.Endpoint.Port != 0);

        foreach (var group in claims.GroupBy(c => (c.Endpoint.Port, c.IsUdp)))
        {
            // Linear in the number of endpoints: thousands of services may share port 80 or 443.
            var first = group.First();
            var routes = new Dictionary<(string Host, string Path), Claim>();
            foreach (var claim in group)
            {
                string? reason = null;
                var other = first;
                if (claim.Listener != first.Listener)
                {
                    reason = $"one port cannot serve both {first.Listener} and {claim.Listener}";
                }
                else if (claim.Listener is "tcp" or "udp")
                {
                    reason = ReferenceEquals(claim, first) ? null : $"a {claim.Listener} port belongs to one endpoint";
                }
                else if (!routes.TryAdd((claim.Host, claim.Path), claim))
                {
                    other = routes[(claim.Host, claim.Path)];
                    reason = $"same route: {claim.Endpoint.Host ?? "any host"}, path {claim.Path}";
                }

                if (reason is not null)
                {
                    ctx.Error("route-conflict", claim.Endpoint, "port",
                        $"port {group.Key.Port}: endpoint '{claim.Endpoint.Name}' of {claim.Owner} conflicts with endpoint '{other.Endpoint.Name}' of {other.Owner} ({reason})");
                }
            }
        }
    }
}
