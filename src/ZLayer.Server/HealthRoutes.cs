using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Control.Store;

namespace ZLayer.Server;

/// <summary>
/// Liveness (the process answers HTTP) and readiness (the store answers too), the split that
/// Kubernetes probes and load balancers expect.
/// </summary>
public static class HealthRoutes
{
    public static TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthRoutes(this IEndpointRouteBuilder app)
    {
        // Open to all: probes and load balancers carry no token.
        app.MapGet(ApiPaths.Live, () => TypedResults.Ok(new { status = "live" }))
            .WithName("Liveness")
            .WithSummary("The process answers HTTP")
            .AllowAnonymous();
        app.MapGet(ApiPaths.Ready, async (HttpContext context, ControlPlane control) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(ReadyTimeout);
            string reason;
            try
            {
                var revision = await control.Repository.Store.CurrentRevisionAsync(timeout.Token);
                return Results.Ok(new { status = "ready", revision });
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                reason = $"the state store did not answer within {ReadyTimeout.TotalSeconds:0.#} s";
            }
            catch (StoreUnavailableException ex)
            {
                reason = ex.Message;
            }

            return Results.Json(
                new ApiProblem("urn:zlayer:problem:not-ready", "Not ready", StatusCodes.Status503ServiceUnavailable, reason, ApiPaths.Ready),
                Control.State.StateJson.Options,
                ProblemResults.ContentType,
                StatusCodes.Status503ServiceUnavailable);
        })
            .WithName("Readiness")
            .WithSummary("The process and its state store answer")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces<ApiProblem>(StatusCodes.Status503ServiceUnavailable, ProblemResults.ContentType)
            .AllowAnonymous();
        return app;
    }
}
