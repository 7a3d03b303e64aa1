using System.Globalization;
using System.Text.Json;
using ZLayer.Images.Content;

namespace ZLayer.Images.Manifests;

/// <summary>Typed reads from a JSON document that fail with the document's name and the JSON path of the offending value.</summary>
internal sealed class JsonPathReader(string document)
{
    public ManifestException Error(string path, string cause) => new($"{document}: {path}: {cause}");

    public JsonElement Object(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Error(path, $"expected an object, found {Kind(element)}");

    public string String(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) ?? throw Error($"{path}.{name}", "is required");

    public string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error($"{path}.{name}", $"expected a string, found {Kind(value)}");
    }

    public long Size(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            throw Error($"{path}.{name}", "is required");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var size) && size >= 0
            ? size
            : throw Error($"{path}.{name}", $"expected a non-negative integer, found {value.GetRawText()}");
    }

    public Digest Digest(JsonElement parent, string name, string path)
    {
        var text = String(parent, name, path);
        return Content.Digest.TryParse(text, out var digest, out var error) ? digest : throw Error($"{path}.{name}", error);
    }

    public IEnumerable<(JsonElement Item, string Path)> Array(JsonElement parent, string name, string path, bool required)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                throw Error($"{path}.{name}", "is required");
            }

            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"{path}.{name}", $"expected an array, found {Kind(value)}");
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            yield return (item, $"{path}.{name}[{i.ToString(CultureInfo.InvariantCulture)}]");
            i++;
        }
    }

    public IReadOnlyList<string>? Strings(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return Array(parent, name, path, required: false)
            .Select(x => x.Item.ValueKind == JsonValueKind.String ? x.Item.GetString()! : throw Error(x.Path, $"expected a string, found {Kind(x.Item)}"))
            .ToList();
    }

    /// <summary>Keys of an object (exposed ports, volumes); values are empty objects by convention and ignored.</summary>
    public IReadOnlyList<string> Keys(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return Object(value, $"{path}.{name}").EnumerateObject().Select(p => p.Name).ToList();
    }

    public IReadOnlyDictionary<string, string> StringMap(JsonElement parent, string name, string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        foreach (var property in Object(value, $"{path}.{name}").EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw Error($"{path}.{name}['{property.Name}']", $"expected a string, found {Kind(property.Value)}");
        }

        return map;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
