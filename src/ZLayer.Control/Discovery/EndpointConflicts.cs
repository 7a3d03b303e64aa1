using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Discovery;

/// <summary>
/// The deploy-time check that a deployment's endpoints can share the node proxy with those
/// already deployed (SPEC.md Part A item 4): the same port, host and path twice, or L4 and L7 on
/// one port, is refused with the proxy's own message rather than found later by the proxy.
/// </summary>
public static class EndpointConflicts
{
    public const string Code = "endpoint-conflict";

    public static IReadOnlyList<Diagnostic> Check(DeploymentSpec candidate, string source, IEnumerable<DeploymentRecord> deployed)
    {
        var all = deployed.Where(d => d.Name != candidate.Deployment)
            .Select(d => (d.Name, DeploymentSpecs.Parse(d)))
            .Append((candidate.Deployment, candidate))
            .ToList();
        var result = RouteTable.Build(DiscoveryInputs.Endpoints(all));
        var prefix = candidate.Deployment + "/";
        return [.. result.Conflicts
            .Where(c => c.Owner.StartsWith(prefix, StringComparison.Ordinal) || c.OtherOwner.StartsWith(prefix, StringComparison.Ordinal))
            .Select(c => new Diagnostic(Severity.Error, Code, c.Message, Where(candidate, c, source), Path(candidate, c)))];
    }

    /// <summary>The candidate's side of the conflict: its endpoint's place in the spec file.</summary>
    private static EndpointSpec? Endpoint(DeploymentSpec candidate, RouteConflict conflict)
    {
        var prefix = candidate.Deployment + "/";
        var (owner, name) = conflict.Owner.StartsWith(prefix, StringComparison.Ordinal) ? (conflict.Owner, conflict.Endpoint) : (conflict.OtherOwner, conflict.OtherEndpoint);
        var service = owner[prefix.Length..];
        var endpoints = candidate.Services.TryGetValue(service, out var s) ? s.Endpoints
            : candidate.Externals.TryGetValue(service, out var e) ? e.Endpoints
            : [];
        return endpoints.FirstOrDefault(x => x.Name == name && x.Port == conflict.Port);
    }

    private static SourceLocation Where(DeploymentSpec candidate, RouteConflict conflict, string source) =>
        Endpoint(candidate, conflict) is { Location.IsKnown: true } endpoint ? endpoint.Location : SourceLocation.None(source);

    private static string Path(DeploymentSpec candidate, RouteConflict conflict) =>
        Endpoint(candidate, conflict)?.SpecPath ?? "endpoints";
}
