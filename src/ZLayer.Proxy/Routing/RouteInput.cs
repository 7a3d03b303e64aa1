using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Routing;

/// <summary>
/// What the route table is built from: one endpoint of a service (or of an external, with its
/// name as <paramref name="Service"/>) and the backends currently able to serve it.
/// </summary>
public sealed record RouteInput(string Deployment, string Service, EndpointSpec Endpoint, IReadOnlyList<BackendAddress> Backends)
{
    public string Owner => $"{Deployment}/{Service}";
}
