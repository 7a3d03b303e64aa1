using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;

namespace ZLayer.Server.ApiSocket;

/// <summary>The API WebSocket at <c>/api/v1/ws</c>: events and read-only resources over one connection.</summary>
public static class SocketRoutes
{
    public static RouteGroupBuilder MapSocketRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/ws", async (HttpContext context, ControlPlane control, IHostApplicationLifetime lifetime, ILoggerFactory logs) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                throw ProblemResults.BadRequest("this is a WebSocket: connect with an Upgrade: websocket request (see docs/api.md, \"WebSocket\")", "Upgrade");
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            await new SocketSession(socket, control, logs.CreateLogger("ZLayer.Server.ApiSocket")).RunAsync(stop.Token);
        })
            .WithName("ApiSocket")
            .WithSummary("The API WebSocket: subscriptions to events and reads of deployments and replicas")
            .WithDescription("Upgrade to a WebSocket, then exchange JSON text messages: requests {\"id\", \"method\": subscribe|unsubscribe|get|ping, \"params\"} " +
                "answered by {\"id\", \"result\"} or {\"id\", \"error\": {code, message, path}}; events arrive as {\"subscription\", \"event\"}. Grammar in docs/api.md.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, ProblemResults.ContentType);
        return api;
    }
}
