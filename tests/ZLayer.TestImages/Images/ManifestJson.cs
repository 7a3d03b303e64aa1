using System.Text.Json;

namespace ZLayer.TestImages.Images;

/// <summary>Renders image manifests and indexes (Docker manifest lists share the shape).</summary>
internal static class ManifestJson
{
    public static byte[] Manifest(string mediaType, ImageBlob config, IReadOnlyList<BuiltLayer> layers) => JsonBytes.Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", mediaType);
        json.WritePropertyName("config");
        Descriptor(json, config.MediaType, config.Digest, config.Size);
        json.WriteStartArray("layers");
        foreach (var layer in layers)
        {
            Descriptor(json, layer.MediaType, layer.Digest, layer.Size);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    public static byte[] Index(string mediaType, IReadOnlyList<BuiltImage> images, IReadOnlyDictionary<string, string> annotations) => JsonBytes.Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", mediaType);
        json.WriteStartArray("manifests");
        foreach (var image in images)
        {
            Descriptor(json, image.MediaType, image.Digest, image.Size, image.Platform);
        }

        json.WriteEndArray();
        if (annotations.Count > 0)
        {
            json.WriteMap("annotations", annotations);
        }

        json.WriteEndObject();
    });

    public static void Descriptor(Utf8JsonWriter json, string mediaType, string digest, long size, ImagePlatform? platform = null, IEnumerable<KeyValuePair<string, string>>? annotations = null)
    {
        json.WriteStartObject();
        json.WriteString("mediaType", mediaType);
        json.WriteString("digest", digest);
        json.WriteNumber("size", size);
        if (platform is not null)
        {
            json.WriteStartObject("platform");
            json.WriteString("architecture", platform.Architecture);
            json.WriteString("os", platform.Os);
            if (platform.Variant is not null)
            {
                json.WriteString("variant", platform.Variant);
            }

            json.WriteEndObject();
        }

        if (annotations is not null)
        {
            json.WriteMap("annotations", annotations);
        }

        json.WriteEndObject();
    }
}
