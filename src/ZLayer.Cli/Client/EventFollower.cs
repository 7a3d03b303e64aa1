using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Control.Model;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>The daemon ended a subscription for a reason other than a slow client (its store failed, it is stopping).</summary>
public sealed class EventStreamInterruptedException(string message) : Exception(message);

/// <summary>
/// Follows events over the API WebSocket (<c>/api/v1/ws</c>): one subscription, re-made on the
/// same connection after the resume point the daemon names when it reports the client lagged.
/// <see cref="LastSequence"/> is where a new connection resumes after this one is lost.
/// </summary>
public sealed class EventFollower(ApiClient client, string? deployment, DateTimeOffset? since)
{
    /// <summary>The sequence of the last event returned; null until one was.</summary>
    public long? LastSequence { get; private set; }

    /// <summary>
    /// Events until the connection ends (returns) or <paramref name="ct"/> is cancelled. The
    /// first connection starts at <c>since</c> (or now); later ones after <see cref="LastSequence"/>.
    /// </summary>
    public async IAsyncEnumerable<ClusterEvent> FollowAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var socket = await client.ConnectWebSocketAsync(ApiPaths.Socket, ct);
        var requests = 0;
        long? subscription = null;
        await SubscribeAsync(socket, ++requests, LastSequence, ct);
        while (await ReceiveAsync(socket, ct) is { } message)
        {
            if (message["id"] is not null)
            {
                // The answer to the subscribe: its number, or why the daemon refused it.
                subscription = message["result"]?["subscription"]?.GetValue<long>()
                    ?? throw new ApiProblemException(new ApiProblem("urn:zlayer:problem:" + (string?)message["error"]?["code"], (string?)message["error"]?["message"] ?? "the daemon refused the subscription", 400));
                continue;
            }

            if (message["subscription"]?.GetValue<long>() != subscription)
            {
                continue;
            }

            if (message["ended"] is { } ended)
            {
                if ((string?)ended["reason"] != "lagged")
                {
                    throw new EventStreamInterruptedException((string?)ended["message"] ?? "the subscription ended");
                }

                // Fell behind: the daemon dropped its queue for us; carry on from the last event shown.
                subscription = null;
                await SubscribeAsync(socket, ++requests, ended["resumeAfter"]!.GetValue<long>(), ct);
                continue;
            }

            var evt = message["event"].Deserialize<ClusterEvent>(ClientJson.Options)!;
            LastSequence = evt.Sequence;
            yield return evt;
        }
    }

    private async Task SubscribeAsync(ClientWebSocket socket, int id, long? after, CancellationToken ct)
    {
        var parameters = new JsonObject();
        if (deployment is not null)
        {
            parameters["deployment"] = deployment;
        }

        if (after is { } resume)
        {
            parameters["after"] = resume;
        }
        else if (since is { } from)
        {
            parameters["since"] = from.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        var request = new JsonObject { ["id"] = id, ["method"] = "subscribe", ["params"] = parameters };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, ct);
    }

    /// <summary>The next JSON message; null when the daemon closed the connection.</summary>
    private static async Task<JsonObject?> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length)) as JsonObject;
            }
        }
    }
}
