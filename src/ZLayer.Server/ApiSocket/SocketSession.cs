using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ZLayer.Control.Api;
using ZLayer.Server.Events;

namespace ZLayer.Server.ApiSocket;

/// <summary>
/// One API WebSocket connection: reads requests one at a time and answers each with its id;
/// everything sent, answers and subscription events alike, goes through one bounded outbox
/// that a single sender drains, so memory per connection is bounded whatever the client reads.
/// </summary>
public sealed class SocketSession(WebSocket socket, ControlPlane control, ILogger logger)
{
    /// <summary>Messages queued for one connection before its subscriptions are ended as lagged.</summary>
    public static int OutboxCapacity { get; set; } = 1024;

    /// <summary>Subscriptions one connection may hold at once.</summary>
    public const int MaxSubscriptions = 32;

    /// <summary>The largest request accepted; a larger one closes the connection (1009).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(OutboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Dictionary<long, SocketSubscription> _subscriptions = [];
    private long _nextSubscription;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var ct = connection.Token;
        var sender = Task.Run(() => SendAsync(connection), CancellationToken.None);
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        var closeText = "";
        try
        {
            while (await ReceiveAsync(ct) is { } text)
            {
                if (await AnswerAsync(text, ct) is { } answer)
                {
                    await _outbox.Writer.WriteAsync(answer, ct);
                }
            }
        }
        catch (MessageTooBigException)
        {
            closeStatus = WebSocketCloseStatus.MessageTooBig;
            closeText = $"a request is at most {MaxRequestBytes} bytes";
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            closeStatus = WebSocketCloseStatus.EndpointUnavailable;
            closeText = "the daemon is stopping";
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ChannelClosedException or IOException)
        {
            // The client vanished or the sender failed; there is nobody left to tell.
        }
        finally
        {
            foreach (var subscription in _subscriptions.Values)
            {
                await subscription.DisposeAsync();
            }

            // What was answered before the close still reaches the client, unless it has stopped
            // reading: then the sends are abandoned after a grace period rather than hang forever.
            _outbox.Writer.TryComplete();
            connection.CancelAfter(CloseGrace);
            await sender;
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(closeStatus, closeText, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Gone already.
            }
        }
    }

    private async Task SendAsync(CancellationTokenSource connection)
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(CancellationToken.None))
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, connection.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // A send that fails ends the connection: the receive loop stops on the cancellation.
            await connection.CancelAsync();
        }
    }

    /// <summary>The next text message, null when the client closed; binary messages are answered with an error.</summary>
    private async Task<string?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                if (message.Length + result.Count > MaxRequestBytes)
                {
                    throw new MessageTooBigException();
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Text)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }

            await _outbox.Writer.WriteAsync(SocketMessages.Error(null, SocketErrors.BadRequest, "binary messages are not part of this protocol; send JSON text"), ct);
        }
    }

    private async Task<byte[]?> AnswerAsync(string text, CancellationToken ct)
    {
        JsonNode? id = null;
        try
        {
            var request = SocketRequest.Parse(text);
            id = request.Id;
            return request.Method switch
            {
                "ping" => Ping(request),
                "subscribe" => await SubscribeAsync(request, ct),
                "unsubscribe" => await UnsubscribeAsync(request),
                "get" => SocketMessages.Result(request.Id, await SocketResources.GetAsync(request, control, ct)),
                _ => throw new SocketProtocolException(SocketErrors.UnknownMethod, $"unknown method '{request.Method}' (expected: subscribe, unsubscribe, get, ping)", "$.method", request.Id),
            };
        }
        catch (SocketProtocolException ex)
        {
            return SocketMessages.Error(ex.Id ?? id, ex.Code, ex.Message, ex.Path);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ProblemResults.ForException(ex) is { } problem)
        {
            // The same failures the REST routes report (store unavailable, ...), with the same code.
            return SocketMessages.Error(id, problem.Type.Split(':')[^1], problem.Detail ?? problem.Title, problem.Field);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug: logged with its stack here, answered without it.
            logger.LogError(ex, "the API WebSocket failed to answer a request");
            return SocketMessages.Error(id, SocketErrors.Internal, "the daemon failed to answer this request; its log has the details");
        }
    }

    private static byte[] Ping(SocketRequest request)
    {
        request.OnlyParams();
        return SocketMessages.Result(request.Id, new JsonObject { ["pong"] = true });
    }

    private async Task<byte[]?> SubscribeAsync(SocketRequest request, CancellationToken ct)
    {
        request.OnlyParams("types", "deployment", "service", "after", "since");
        EventFilter filter;
        try
        {
            var deployment = request.OptionalString("deployment") is null ? null : SocketResources.Name(request, "deployment");
            filter = EventFilter.Create(deployment, request.OptionalString("service"), request.StringList("types").Select(t => ((string?)t.Value, t.Path)));
        }
        catch (EventFilterException ex)
        {
            throw new SocketProtocolException(SocketErrors.BadRequest, ex.Message, ex.Field, request.Id);
        }

        var after = request.OptionalSequence("after");
        var since = request.OptionalTime("since");
        foreach (var ended in _subscriptions.Where(s => s.Value.Completion.IsCompleted).ToList())
        {
            _subscriptions.Remove(ended.Key);
        }

        if (_subscriptions.Count >= MaxSubscriptions)
        {
            throw new SocketProtocolException(SocketErrors.TooManySubscriptions, $"a connection holds at most {MaxSubscriptions} subscriptions; unsubscribe one first", null, request.Id);
        }

        var start = await EventCursor.StartAsync(control, after, since, ct);
        var id = ++_nextSubscription;

        // The answer is queued before the subscription starts, so it precedes the first event.
        await _outbox.Writer.WriteAsync(SocketMessages.Result(request.Id, new JsonObject { ["subscription"] = id, ["after"] = start }), ct);
        _subscriptions[id] = new SocketSubscription(id, control, filter, start, _outbox.Writer, ct);
        return null;
    }

    private async Task<byte[]> UnsubscribeAsync(SocketRequest request)
    {
        request.OnlyParams("subscription");
        var id = request.Params["subscription"] is JsonValue v && v.TryGetValue<long>(out var n)
            ? n
            : throw request.Bad("'subscription' must be the number subscribe answered", "subscription");
        if (!_subscriptions.Remove(id, out var subscription))
        {
            throw new SocketProtocolException(SocketErrors.UnknownSubscription, $"no subscription {id} on this connection", SocketRequest.Path("subscription"), request.Id);
        }

        // Once answered, no more events of it follow: the pump has stopped before the answer is queued.
        await subscription.DisposeAsync();
        return SocketMessages.Result(request.Id, new JsonObject { ["subscription"] = id });
    }

    private sealed class MessageTooBigException : Exception;
}
