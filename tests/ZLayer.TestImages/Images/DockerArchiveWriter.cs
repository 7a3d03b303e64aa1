namespace ZLayer.TestImages.Images;

/// <summary>
/// Writes an image as <c>docker save</c> does: <c>manifest.json</c> (Config, RepoTags, Layers),
/// the config as <c>HEX.json</c> and each layer's uncompressed tar as <c>DIFFIDHEX/layer.tar</c>.
/// </summary>
internal static class DockerArchiveWriter
{
    public static void Write(string tarPath, BuiltImage image, string repoTag)
    {
        if (image.IsIndex || image.Config is null)
        {
            throw new InvalidOperationException("a docker archive holds single-platform images; pick one with ForPlatform");
        }

        var configName = ContentDigest.Hex(image.Config.Digest) + ".json";
        var layerNames = image.Layers.Select(l => ContentDigest.Hex(l.DiffId) + "/layer.tar").ToList();
        var archive = new LayerBuilder().File(configName, image.Config.Bytes);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (layer, name) in image.Layers.Zip(layerNames))
        {
            if (written.Add(name))
            {
                archive.File(name, layer.Tar);
            }
        }

        archive.File("manifest.json", JsonBytes.Write(json =>
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("Config", configName);
            json.WriteStrings("RepoTags", [repoTag]);
            json.WriteStrings("Layers", layerNames);
            json.WriteEndObject();
            json.WriteEndArray();
        }));

        using var file = File.Create(tarPath);
        archive.WriteTar(file);
    }
}
