using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Control.Agent;
using ZLayer.Runtime;
using ZLayer.Runtime.Exec;
using ZLayer.Server.Auth;

namespace ZLayer.Server;

/// <summary>
/// <c>GET /api/v1/replicas/{replica}/exec/session</c>: an interactive exec over a WebSocket
/// (<c>zlayer exec -it</c>), framed as <see cref="ExecSessionFrames"/> says. What can be refused
/// before the upgrade (no such replica, a runtime without interactive exec) is an HTTP problem;
/// what is wrong with the start message comes back on the socket, naming its JSON path.
/// </summary>
public static class ExecSessionRoutes
{
    public static RouteGroupBuilder MapExecSessionRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/replicas/{replica}/exec/session", async (HttpContext context, string replica, NodeAgent agent) =>
        {
            if (agent.Find(replica) is not { } found)
            {
                throw ProblemResults.NotFound($"replica '{replica}' is not on this node (see `zlayer ps -a`)");
            }

            if (found.Runtime is not IInteractiveExec interactive)
            {
                throw ProblemResults.Conflict($"replica '{replica}' runs on the {found.Runtime.Name} runtime, which has no interactive exec; use exec without -i/-t");
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                throw ProblemResults.BadRequest("an interactive exec is a WebSocket: send an upgrade request (zlayer exec -it does)");
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var ct = context.RequestAborted;
            var start = await ExecSessionBridge.ReadStartAsync(socket, ct);
            if (start.Error is { } error)
            {
                await ExecSessionBridge.FailAsync(socket, error.Message, error.Path, ct);
                return;
            }

            ExecSession session;
            try
            {
                session = await interactive.StartExecAsync(found.Handle, start.Command!, start.Options!, ct);
            }
            catch (RuntimeException ex)
            {
                await ExecSessionBridge.FailAsync(socket, ex.Message, null, ct);
                return;
            }

            await using (session)
            {
                await ExecSessionBridge.RunAsync(socket, session, ct);
            }
            // A GET that runs commands: the default for GET (viewer) would let readers in.
        })
            .WithName("ExecSession")
            .WithSummary("Interactive exec over a WebSocket (framing in docs/api.md, Interactive exec)")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType)
            .RequireRole(ApiRole.Operator);
        return api;
    }
}
