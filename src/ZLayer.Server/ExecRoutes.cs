using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Agent;
using ZLayer.Runtime;
using ZLayer.Server.Auth;

namespace ZLayer.Server;

/// <summary>Runs a command inside a running replica and answers with its exit code and output.</summary>
public static class ExecRoutes
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The longest a command may be given; a longer job belongs in a job service.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    public static RouteGroupBuilder MapExecRoutes(this RouteGroupBuilder api)
    {
        api.MapPost("/replicas/{replica}/exec", async (string replica, ExecRequest? body, NodeAgent agent, CancellationToken ct) =>
        {
            if (body?.Command is not { Count: > 0 } command || command.Any(string.IsNullOrEmpty))
            {
                throw ProblemResults.BadRequest("command must be a non-empty list of non-empty strings, e.g. [\"sh\", \"-c\", \"env\"]", "$.command");
            }

            var timeout = body.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultTimeout;
            if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
            {
                throw ProblemResults.BadRequest($"timeoutSeconds must be between 1 and {MaxTimeout.TotalSeconds:0}", "$.timeoutSeconds");
            }

            if (agent.Find(replica) is not { } found)
            {
                throw ProblemResults.NotFound($"replica '{replica}' is not on this node (see `zlayer ps -a`)");
            }

            try
            {
                var result = await found.Runtime.ExecAsync(found.Handle, command, new ExecOptions(timeout, Stdin: body.Stdin), ct);
                return TypedResults.Ok(new ExecResponse(replica, result.ExitCode, result.Stdout, result.Stderr));
            }
            catch (RuntimeException ex)
            {
                // Not running, or the program cannot be started: the replica's state, not the request, is at fault.
                throw ProblemResults.Conflict(ex.Message);
            }
        })
            .WithName("Exec")
            .WithSummary("Run a command in a replica and answer with its exit code and output")
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);
        return api;
    }
}
