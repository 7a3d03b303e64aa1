using System.Globalization;

namespace ZLayer.TestImages.Images;

/// <summary>Renders an OCI image config (which Docker's schema 2 shares).</summary>
internal static class ImageConfigJson
{
    public static byte[] Write(ImagePlatform platform, ImageConfigSettings settings, IReadOnlyList<BuiltLayer> layers) => JsonBytes.Write(json =>
    {
        var created = settings.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        json.WriteStartObject();
        json.WriteString("created", created);
        json.WriteString("architecture", platform.Architecture);
        json.WriteString("os", platform.Os);
        if (platform.Variant is not null)
        {
            json.WriteString("variant", platform.Variant);
        }

        json.WriteStartObject("config");
        if (settings.User is not null)
        {
            json.WriteString("User", settings.User);
        }

        if (settings.ExposedPorts.Count > 0)
        {
            json.WriteStartObject("ExposedPorts");
            foreach (var port in settings.ExposedPorts)
            {
                json.WriteStartObject(port);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        if (settings.Env.Count > 0)
        {
            json.WriteStrings("Env", settings.Env);
        }

        if (settings.Entrypoint is not null)
        {
            json.WriteStrings("Entrypoint", settings.Entrypoint);
        }

        if (settings.Cmd is not null)
        {
            json.WriteStrings("Cmd", settings.Cmd);
        }

        if (settings.WorkingDir is not null)
        {
            json.WriteString("WorkingDir", settings.WorkingDir);
        }

        if (settings.Labels.Count > 0)
        {
            json.WriteMap("Labels", settings.Labels);
        }

        json.WriteEndObject();

        json.WriteStartObject("rootfs");
        json.WriteString("type", "layers");
        json.WriteStrings("diff_ids", layers.Select(l => l.DiffId));
        json.WriteEndObject();

        json.WriteStartArray("history");
        foreach (var layer in layers)
        {
            json.WriteStartObject();
            json.WriteString("created", created);
            json.WriteString("created_by", layer.CreatedBy ?? "zlayer-test-images");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });
}
