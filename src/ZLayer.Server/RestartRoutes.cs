using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Server.Auth;

namespace ZLayer.Server;

/// <summary>A rolling restart of a service; the answer comes once every replica is healthy again.</summary>
public static class RestartRoutes
{
    public static RouteGroupBuilder MapRestartRoutes(this RouteGroupBuilder api)
    {
        api.MapPost("/deployments/{deployment}/services/{service}/restart", async (string deployment, string service, RollingRestart restarts, CancellationToken ct) =>
        {
            RouteNames.Deployment(deployment);
            RouteNames.Service(service);
            try
            {
                var restarted = await restarts.RunAsync(deployment, service, ct);
                return TypedResults.Ok(new RestartResponse(deployment, service, restarted));
            }
            catch (TimeoutException ex)
            {
                // The replicas already replaced stay replaced; the rest were left as they were.
                throw ProblemResults.Conflict(ex.Message);
            }
        })
            .WithName("RestartService")
            .WithSummary("Rolling restart of a service; answers once every replica is healthy again")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);
        return api;
    }
}
