using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ZLayer.Server;

/// <summary>
/// Reads request bodies by hand rather than through model binding, so that every refusal names
/// the offending field by its JSON path (<c>$.replicas</c>) instead of a framework message.
/// </summary>
internal static class RequestBodies
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static bool IsJson(HttpRequest request) =>
        MediaType(request) is "application/json" or "text/json" || MediaType(request).EndsWith("+json", StringComparison.Ordinal);

    public static bool IsYaml(HttpRequest request) =>
        MediaType(request) is "application/yaml" or "application/x-yaml" or "text/yaml" or "text/x-yaml" or "text/plain";

    public static string MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() ?? "" : "";

    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        try
        {
            return StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException ex)
        {
            throw ProblemResults.BadRequest($"the body is not valid UTF-8 (bad byte at offset {ex.Index})");
        }
    }

    /// <summary>A JSON object body; anything else is a 400 naming where the JSON went wrong.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsJson(request))
        {
            throw ProblemResults.UnsupportedMediaType($"send application/json (got '{request.ContentType ?? "no Content-Type"}')");
        }

        var text = await ReadTextAsync(request, ct);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw ProblemResults.BadRequest($"the body is not valid JSON{where}: {FirstSentence(ex.Message)}", "$");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ProblemResults.BadRequest($"the body must be a JSON object, not {Describe(document.RootElement.ValueKind)}", "$");
            }

            return document.RootElement.Clone();
        }
    }

    /// <summary>Refuses keys the route does not know: a misspelt field silently ignored is worse than an error.</summary>
    public static void RejectUnknown(JsonElement body, params string[] known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw ProblemResults.BadRequest($"unknown field '{property.Name}' (expected {string.Join(", ", known)})", "$." + property.Name);
            }
        }
    }

    public static string? OptionalString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw ProblemResults.BadRequest($"'{name}' must be a string, not {Describe(value.ValueKind)}", "$." + name);
    }

    /// <param name="what">What the field should hold, for the message when it is missing or empty.</param>
    public static string RequiredString(JsonElement body, string name, string what)
    {
        var value = OptionalString(body, name);
        return string.IsNullOrWhiteSpace(value)
            ? throw ProblemResults.BadRequest($"'{name}' is required: {what}", "$." + name)
            : value;
    }

    public static int RequiredInt(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw ProblemResults.BadRequest($"'{name}' is required", "$." + name);
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)
            ? n
            : throw ProblemResults.BadRequest($"'{name}' must be a whole number, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}", "$." + name);
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    // System.Text.Json appends its own "Path: $ | LineNumber: 0 | ..." to the message; we say it better.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).TrimEnd('.', ' ');
    }
}
