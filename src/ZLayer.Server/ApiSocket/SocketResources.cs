using System.Text.Json.Nodes;
using ZLayer.Control.Api;

namespace ZLayer.Server.ApiSocket;

/// <summary>
/// The read-only resources <c>get</c> serves, in the same JSON as their REST routes, so a
/// dashboard can draw its pages and follow events over one socket.
/// </summary>
public static class SocketResources
{
    public static readonly IReadOnlyList<string> Names = ["deployments", "deployment", "replicas"];

    public static async Task<JsonNode?> GetAsync(SocketRequest request, ControlPlane control, CancellationToken ct)
    {
        var resource = request.RequiredString("resource");
        switch (resource)
        {
            case "deployments":
                request.OnlyParams("resource");
                return SocketMessages.ToNode(await control.DeploymentsAsync(ct));
            case "deployment":
                {
                    request.OnlyParams("resource", "name");
                    var name = Name(request, "name");
                    return SocketMessages.ToNode(await control.DeploymentAsync(name, ct)
                        ?? throw new SocketProtocolException(SocketErrors.NotFound, $"no deployment named '{name}'", SocketRequest.Path("name"), request.Id));
                }

            case "replicas":
                {
                    request.OnlyParams("resource", "deployment", "service");
                    var deployment = request.OptionalString("deployment") is null ? null : Name(request, "deployment");
                    var service = request.OptionalString("service");
                    var replicas = await ReplicaRoutes.ListAsync(control, deployment, ct);
                    return SocketMessages.ToNode(service is null ? replicas : [.. replicas.Where(r => r.Service == service)]);
                }

            default:
                throw request.Bad($"unknown resource '{resource}' (expected: {string.Join(", ", Names)})", "resource");
        }
    }

    /// <summary>A deployment name checked as the REST routes check it, with the error at its JSON path.</summary>
    public static string Name(SocketRequest request, string parameter)
    {
        var name = request.RequiredString(parameter);
        try
        {
            return RouteNames.Deployment(name);
        }
        catch (ApiProblemException ex)
        {
            throw request.Bad(ex.Problem.Detail ?? ex.Message, parameter);
        }
    }
}
