using System.Text.Json;
using ZLayer.Images.Content;

namespace ZLayer.Images.Manifests;

/// <summary>Reads manifests, indexes and configs, refusing what the OCI image spec does not allow with the JSON path at fault.</summary>
public static class ManifestReader
{
    /// <summary>
    /// Parses a manifest or an index. The media type comes from the document's own
    /// <c>mediaType</c> when present (it must then agree with the transport's), else from the
    /// Content-Type the registry sent, else from the shape of the document.
    /// </summary>
    /// <param name="name">What to call the document in errors (reference and digest).</param>
    /// <returns>An <see cref="ImageManifest"/> or an <see cref="ImageIndex"/>.</returns>
    public static object Read(ReadOnlySpan<byte> json, string? contentType, string name)
    {
        var reader = new JsonPathReader(name);
        using var document = Parse(json, name);
        var root = reader.Object(document.RootElement, "$");
        var declared = reader.OptionalString(root, "mediaType", "$");
        var transport = NormaliseContentType(contentType);
        var mediaType = declared ?? transport ?? (root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest);
        if (declared is not null && transport is not null && declared != transport && IsKnown(transport))
        {
            throw reader.Error("$.mediaType", $"'{declared}' does not agree with the Content-Type '{transport}' the registry sent");
        }

        if (root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() == 1)
        {
            throw reader.Error("$.schemaVersion", "Docker schema 1 manifests are deprecated and not supported; push the image again with a current client");
        }

        if (MediaTypes.IsIndex(mediaType))
        {
            var manifests = reader.Array(root, "manifests", "$", required: true)
                .Select(x => ReadDescriptor(reader, x.Item, x.Path, withPlatform: true))
                .ToList();
            return new ImageIndex(mediaType, manifests);
        }

        if (!MediaTypes.IsManifest(mediaType))
        {
            throw reader.Error("$.mediaType", $"'{mediaType}' is not an image manifest or index");
        }

        var config = ReadDescriptor(reader, reader.Object(root.TryGetProperty("config", out var c) ? c : default, "$.config"), "$.config", withPlatform: false);
        var layers = reader.Array(root, "layers", "$", required: true)
            .Select(x => ReadDescriptor(reader, x.Item, x.Path, withPlatform: false))
            .ToList();
        return new ImageManifest(mediaType, config, layers);
    }

    /// <summary>Parses an image config; <paramref name="name"/> names it in errors.</summary>
    public static ImageConfig ReadConfig(ReadOnlySpan<byte> json, string name)
    {
        var reader = new JsonPathReader(name);
        using var document = Parse(json, name);
        var root = reader.Object(document.RootElement, "$");
        var platform = new Platform(
            reader.String(root, "os", "$"),
            reader.String(root, "architecture", "$"),
            reader.OptionalString(root, "variant", "$"));
        var rootfs = reader.Object(root.TryGetProperty("rootfs", out var r) ? r : default, "$.rootfs");
        var diffIds = reader.Array(rootfs, "diff_ids", "$.rootfs", required: true)
            .Select(x => x.Item.ValueKind == JsonValueKind.String && Digest.TryParse(x.Item.GetString(), out var d, out _)
                ? d
                : throw reader.Error(x.Path, "expected a digest such as sha256:<64 hex>"))
            .ToList();
        var run = root.TryGetProperty("config", out var cfg) && cfg.ValueKind == JsonValueKind.Object ? cfg : default;
        DateTimeOffset? created = null;
        if (reader.OptionalString(root, "created", "$") is { } stamp)
        {
            created = DateTimeOffset.TryParse(stamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var when)
                ? when
                : throw reader.Error("$.created", $"'{stamp}' is not an RFC 3339 time");
        }

        if (run.ValueKind != JsonValueKind.Object)
        {
            return new ImageConfig(platform, diffIds, [], null, null, null, null, null, [], [], new Dictionary<string, string>(), created);
        }

        return new ImageConfig(
            platform,
            diffIds,
            reader.Strings(run, "Env", "$.config") ?? [],
            reader.Strings(run, "Entrypoint", "$.config"),
            reader.Strings(run, "Cmd", "$.config"),
            NullIfEmpty(reader.OptionalString(run, "WorkingDir", "$.config")),
            NullIfEmpty(reader.OptionalString(run, "User", "$.config")),
            NullIfEmpty(reader.OptionalString(run, "StopSignal", "$.config")),
            reader.Keys(run, "ExposedPorts", "$.config"),
            reader.Keys(run, "Volumes", "$.config"),
            reader.StringMap(run, "Labels", "$.config"),
            created);
    }

    private static Descriptor ReadDescriptor(JsonPathReader reader, JsonElement element, string path, bool withPlatform)
    {
        reader.Object(element, path);
        Platform? platform = null;
        if (withPlatform && element.TryGetProperty("platform", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            reader.Object(p, $"{path}.platform");
            platform = new Platform(
                reader.String(p, "os", $"{path}.platform"),
                reader.String(p, "architecture", $"{path}.platform"),
                reader.OptionalString(p, "variant", $"{path}.platform"));
        }

        var annotations = reader.StringMap(element, "annotations", path);
        return new Descriptor(
            reader.String(element, "mediaType", path),
            reader.Digest(element, "digest", path),
            reader.Size(element, "size", path),
            platform,
            annotations.Count == 0 ? null : annotations);
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{name}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }

    private static string? NormaliseContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static bool IsKnown(string mediaType) => MediaTypes.IsIndex(mediaType) || MediaTypes.IsManifest(mediaType);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
