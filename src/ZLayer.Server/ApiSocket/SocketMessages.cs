using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Control.Model;
using ZLayer.Control.State;

namespace ZLayer.Server.ApiSocket;

/// <summary>What the daemon sends on the API WebSocket, each a UTF-8 JSON text message (grammar in docs/api.md).</summary>
public static class SocketMessages
{
    public static byte[] Result(JsonNode id, JsonNode? result) =>
        Encode(new JsonObject { ["id"] = id.DeepClone(), ["result"] = result });

    public static byte[] Error(JsonNode? id, string code, string message, string? path = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (path is not null)
        {
            error["path"] = path;
        }

        return Encode(new JsonObject { ["id"] = id?.DeepClone(), ["error"] = error });
    }

    public static byte[] Event(long subscription, ClusterEvent evt) =>
        Encode(new JsonObject { ["subscription"] = subscription, ["event"] = JsonSerializer.SerializeToNode(evt, StateJson.Options) });

    /// <summary>
    /// A subscription the daemon ended: <paramref name="reason"/> is <c>lagged</c> (the client
    /// read too slowly) or <c>error</c>; subscribing again with <c>after</c> = <paramref name="resumeAfter"/>
    /// continues with the next event, none lost or repeated.
    /// </summary>
    public static byte[] Ended(long subscription, string reason, string message, long resumeAfter) =>
        Encode(new JsonObject
        {
            ["subscription"] = subscription,
            ["ended"] = new JsonObject { ["reason"] = reason, ["message"] = message, ["resumeAfter"] = resumeAfter },
        });

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, StateJson.Options);

    private static byte[] Encode(JsonObject message) => JsonSerializer.SerializeToUtf8Bytes(message, StateJson.Options);
}
