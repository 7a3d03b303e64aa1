using System.Text.Json.Nodes;

namespace ZLayer.Server.ApiSocket;

/// <summary>Error codes of the API WebSocket, as the <c>error.code</c> of a response carries them.</summary>
public static class SocketErrors
{
    public const string BadRequest = "bad-request";
    public const string UnknownMethod = "unknown-method";
    public const string UnknownSubscription = "unknown-subscription";
    public const string TooManySubscriptions = "too-many-subscriptions";
    public const string NotFound = "not-found";
    public const string Internal = "internal";
}

/// <summary>
/// A request the socket answers with an error: <paramref name="path"/> is the JSON path of the
/// offending member, <paramref name="id"/> the request's id when it could be read.
/// </summary>
public sealed class SocketProtocolException(string code, string message, string? path = null, JsonNode? id = null) : Exception(message)
{
    public string Code { get; } = code;

    public string? Path { get; } = path;

    public JsonNode? Id { get; } = id;
}
