using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZLayer.Server.ApiSocket;

/// <summary>
/// One request on the API WebSocket: <c>{"id": string|number, "method": string, "params": {...}}</c>.
/// Parsing names the JSON path of what is wrong, so a client can be fixed from the error alone.
/// </summary>
public sealed record SocketRequest(JsonNode Id, string Method, JsonObject Params)
{
    public static SocketRequest Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new SocketProtocolException(SocketErrors.BadRequest, $"the message is not JSON: {ex.Message}", ex.Path ?? "$");
        }

        if (root is not JsonObject message)
        {
            throw new SocketProtocolException(SocketErrors.BadRequest, "a request is a JSON object: {\"id\": 1, \"method\": \"ping\"}", "$");
        }

        // The id comes first, so that every later error can carry it.
        var id = message["id"] is JsonValue v && (v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
            ? v.DeepClone()
            : throw new SocketProtocolException(SocketErrors.BadRequest, "every request needs an 'id', a string or a number, to match its response", "$.id");

        foreach (var (key, _) in message)
        {
            if (key is not ("id" or "method" or "params"))
            {
                throw new SocketProtocolException(SocketErrors.BadRequest, $"unknown member '{key}': a request has id, method and params", "$." + key, id);
            }
        }

        var method = message["method"] is JsonValue m && m.GetValueKind() == JsonValueKind.String
            ? m.GetValue<string>()
            : throw new SocketProtocolException(SocketErrors.BadRequest, "'method' must be a string: subscribe, unsubscribe, get or ping", "$.method", id);

        var parameters = message["params"] switch
        {
            null => [],
            JsonObject p => p,
            _ => throw new SocketProtocolException(SocketErrors.BadRequest, "'params' must be an object", "$.params", id),
        };
        return new SocketRequest(id, method, parameters);
    }

    /// <summary>Refuses members a method does not know, so a misspelt filter is an error rather than ignored.</summary>
    public void OnlyParams(params string[] known)
    {
        foreach (var (key, _) in Params)
        {
            if (!known.Contains(key))
            {
                var expected = known.Length == 0 ? "none" : string.Join(", ", known);
                throw Bad($"unknown parameter '{key}' of {Method} (expected: {expected})", key);
            }
        }
    }

    public string? OptionalString(string name)
    {
        return Params[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw Bad($"'{name}' must be a string", name),
        };
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw Bad($"{Method} needs '{name}'", name);

    public long? OptionalSequence(string name)
    {
        return Params[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 0 => n,
            _ => throw Bad($"'{name}' must be an event sequence number (a whole number, 0 or more)", name),
        };
    }

    public DateTimeOffset? OptionalTime(string name)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw Bad($"'{name}' must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '{text}'", name);
    }

    /// <summary>The strings of an array parameter; a single string is taken as a one-item array.</summary>
    public IEnumerable<(string Value, string Path)> StringList(string name)
    {
        switch (Params[name])
        {
            case null:
                yield break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                yield return (v.GetValue<string>(), Path(name));
                yield break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"{Path(name)}[{i}]";
                    yield return array[i] is JsonValue item && item.GetValueKind() == JsonValueKind.String
                        ? (item.GetValue<string>(), path)
                        : throw new SocketProtocolException(SocketErrors.BadRequest, $"'{name}' holds strings only", path, Id);
                }

                yield break;
            default:
                throw Bad($"'{name}' must be an array of strings", name);
        }
    }

    public SocketProtocolException Bad(string message, string name) =>
        new(SocketErrors.BadRequest, message, Path(name), Id);

    public static string Path(string name) => "$.params." + name;
}
