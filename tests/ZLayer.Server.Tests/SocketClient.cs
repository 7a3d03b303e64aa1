using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.Server.Tests;

/// <summary>A client of the API WebSocket that reads one JSON message at a time, with a deadline.</summary>
public sealed class SocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private SocketClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connects with <paramref name="token"/> as a bearer token, as the CLI does over TCP.</summary>
    public static async Task<SocketClient> ConnectAsync(Uri baseAddress, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        var uri = new UriBuilder(new Uri(baseAddress, ApiPaths.Socket.TrimStart('/'))) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        return new SocketClient(socket);
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendAsync(JsonObject message) => SendAsync(message.ToJsonString());

    /// <summary>The next message; null when the daemon closed the connection.</summary>
    public async Task<JsonObject?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, deadline.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonNode.Parse(message.ToArray())!.AsObject();
    }

    /// <summary>Sends a request and returns its response, keeping the events that came first in <paramref name="before"/>.</summary>
    public async Task<JsonObject> RequestAsync(JsonNode id, string method, JsonObject? parameters = null, List<JsonObject>? before = null)
    {
        var request = new JsonObject { ["id"] = id.DeepClone(), ["method"] = method };
        if (parameters is not null)
        {
            request["params"] = parameters;
        }

        await SendAsync(request);
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new EndOfStreamException("the daemon closed the socket");
            if (message.ContainsKey("id"))
            {
                return message;
            }

            before?.Add(message);
        }
    }

    /// <summary>Subscribes and returns the subscription id.</summary>
    public async Task<long> SubscribeAsync(JsonObject parameters, string id = "sub")
    {
        var answer = await RequestAsync(id, "subscribe", parameters);
        Assert.True(answer["result"] is JsonObject, answer.ToJsonString());
        return (long)answer["result"]!["subscription"]!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The test is over either way.
            }
        }

        _socket.Dispose();
    }
}
