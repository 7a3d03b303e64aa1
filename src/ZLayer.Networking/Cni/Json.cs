using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>
/// Field access for JSON that comes from outside (plugin output, cache files) with errors that
/// name the field by path, thrown as <see cref="FormatException"/> for the caller to attribute.
/// </summary>
internal static class Json
{
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, string what)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what} is not valid JSON: {e.Message}");
        }
        return node as JsonObject ?? throw new FormatException($"{what} is not a JSON object");
    }

    public static string RequiredString(JsonObject o, string key, string path) =>
        OptionalString(o, key, path) ?? throw new FormatException($"{path}.{key} is missing");

    public static string? OptionalString(JsonObject o, string key, string path)
    {
        var node = o[key];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }
        throw new FormatException($"{path}.{key} is not a string");
    }

    public static JsonObject RequiredObject(JsonObject o, string key, string path) =>
        o[key] switch
        {
            JsonObject inner => inner,
            null => throw new FormatException($"{path}.{key} is missing"),
            _ => throw new FormatException($"{path}.{key} is not an object"),
        };

    public static JsonArray? OptionalArray(JsonObject o, string key, string path) =>
        o[key] switch
        {
            null => null,
            JsonArray array => array,
            _ => throw new FormatException($"{path}.{key} is not an array"),
        };
}
