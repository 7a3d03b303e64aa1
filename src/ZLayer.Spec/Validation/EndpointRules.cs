using System.Text.RegularExpressions;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>Rules for the endpoints of a service or an external.</summary>
internal static partial class EndpointRules
{
    public static void Validate(ValidationContext ctx, IReadOnlyList<EndpointSpec> endpoints, IReadOnlyCollection<string> roles)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            if (string.IsNullOrWhiteSpace(endpoint.Name))
            {
                ctx.Error("endpoint", endpoint, "name", "endpoint name must not be empty");
            }
            else if (!names.Add(endpoint.Name))
            {
                ctx.Error("duplicate-endpoint", endpoint, "name", $"endpoint name '{endpoint.Name}' is used twice in this service");
            }

            if (endpoint.Has("port") && endpoint.Port == 0)
            {
                ctx.Error("port", endpoint, "port", "endpoint port must be 1-65535");
            }

            if (endpoint.TargetPort == 0)
            {
                ctx.Error("port", endpoint, "target_port", "target_port must be 1-65535");
            }

            if (endpoint.Path is { } path && (!path.StartsWith('/') || path.Contains('?') || path.Contains('#')))
            {
                ctx.Error("endpoint", endpoint, "path", $"path '{path}' must start with '/' and hold no query or fragment");
            }

            if (endpoint.Host is { } host && !HostPatternRegex().IsMatch(host))
            {
                ctx.Error("endpoint", endpoint, "host", $"host '{host}' must be a host name or a '*.' wildcard such as *.example.com");
            }

            if ((endpoint.Host is not null || endpoint.Path is not null) && !endpoint.IsHttpLike)
            {
                ctx.Error("endpoint", endpoint, endpoint.Host is not null ? "host" : "path", $"host and path routing need an http, https or websocket endpoint; '{endpoint.Name}' is {endpoint.Protocol.ToString().ToLowerInvariant()}");
            }

            if (endpoint.TargetRole is { } role && !roles.Contains(role))
            {
                ctx.Error("target-role", endpoint, "target_role", roles.Count == 0
                    ? $"target_role '{role}' names no role: this service has no replica_groups"
                    : $"target_role '{role}' names no role of replica_groups ({string.Join(", ", roles)})");
            }

            if (endpoint.Stream is { } stream && endpoint.IsHttpLike)
            {
                ctx.Warning("endpoint", endpoint, "stream", $"'stream' applies to tcp and udp endpoints; '{endpoint.Name}' is {endpoint.Protocol.ToString().ToLowerInvariant()}, so it is ignored");
                _ = stream;
            }
        }
    }

    [GeneratedRegex(@"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostPatternRegex();
}
