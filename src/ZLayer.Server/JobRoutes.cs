using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Api;
using ZLayer.Server.Auth;

namespace ZLayer.Server;

/// <summary>Runs of job and cron services: trigger one, list them, read a finished run's output.</summary>
public static class JobRoutes
{
    public static RouteGroupBuilder MapJobRoutes(this RouteGroupBuilder api)
    {
        api.MapPost("/deployments/{deployment}/services/{service}/jobs", async (string deployment, string service, JobOperations jobs, CancellationToken ct) =>
        {
            RouteNames.Deployment(deployment);
            RouteNames.Service(service);
            try
            {
                var run = await jobs.TriggerAsync(deployment, service, "manual", ct);
                return TypedResults.Accepted($"{ApiPaths.Jobs(deployment, service)}/{run.Number}", run);
            }
            catch (InvalidOperationException ex)
            {
                throw ProblemResults.Conflict(ex.Message);
            }
        })
            .WithName("TriggerJob")
            .WithSummary("Start a run of a job or cron service")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);

        api.MapGet("/deployments/{deployment}/services/{service}/jobs", async (string deployment, string service, JobOperations jobs, CancellationToken ct) =>
            TypedResults.Ok(await jobs.ListAsync(RouteNames.Deployment(deployment), RouteNames.Service(service), ct)))
            .WithName("ListJobRuns")
            .WithSummary("The runs of a job or cron service")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/deployments/{deployment}/services/{service}/jobs/{run:int}", async (string deployment, string service, int run, JobOperations jobs, CancellationToken ct) =>
        {
            var runs = await jobs.ListAsync(RouteNames.Deployment(deployment), RouteNames.Service(service), ct);
            return TypedResults.Ok(runs.FirstOrDefault(r => r.Number == run)
                ?? throw ProblemResults.NotFound($"service '{service}' of deployment '{deployment}' has no run {run}"));
        })
            .WithName("GetJobRun")
            .WithSummary("One run of a job")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/deployments/{deployment}/services/{service}/jobs/{run:int}/logs", async (string deployment, string service, int run, JobOperations jobs, CancellationToken ct) =>
        {
            var output = await jobs.LogsAsync(RouteNames.Deployment(deployment), RouteNames.Service(service), run, ct);
            if (output is null)
            {
                var known = (await jobs.ListAsync(deployment, service, ct)).FirstOrDefault(r => r.Number == run);
                throw known is null
                    ? ProblemResults.NotFound($"service '{service}' of deployment '{deployment}' has no run {run}")
                    : ProblemResults.Conflict($"run {run} is {known.State}; its output is kept once it ends (follow it with `zlayer logs {service}`)");
            }

            return TypedResults.Text(output, "text/plain", Encoding.UTF8);
        })
            .WithName("JobRunLogs")
            .WithSummary("The output of a job run, as text")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType);

        api.MapGet("/jobs", async (JobOperations jobs, CancellationToken ct) => TypedResults.Ok(await jobs.ListAllAsync(ct)))
            .WithName("ListAllJobRuns")
            .WithSummary("Every job run of every deployment");
        return api;
    }
}
