using System.Text.Json;

namespace ZLayer.TestImages.Images;

/// <summary>
/// Writes images as an OCI image layout: <c>oci-layout</c>, <c>index.json</c> naming each tag in
/// an <c>org.opencontainers.image.ref.name</c> annotation, and <c>blobs/sha256/HEX</c>.
/// </summary>
internal static class OciLayoutWriter
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly byte[] LayoutFile = JsonBytes.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("imageLayoutVersion", "1.0.0");
        json.WriteEndObject();
    });

    /// <summary>Writes into <paramref name="directory"/>, keeping the tags an existing layout there already has (but this one).</summary>
    public static void Write(string directory, BuiltImage image, string tag)
    {
        var indexPath = Path.Join(directory, "index.json");
        var kept = new List<JsonElement>();
        if (File.Exists(indexPath))
        {
            using var existing = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            kept.AddRange(existing.RootElement.GetProperty("manifests").EnumerateArray()
                .Where(m => !(m.TryGetProperty("annotations", out var a) && a.TryGetProperty(RefNameAnnotation, out var name) && name.GetString() == tag))
                .Select(m => m.Clone()));
        }

        foreach (var (path, bytes) in Files(image, tag, kept))
        {
            var target = Path.Join(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, bytes);
        }
    }

    public static void WriteTar(string tarPath, BuiltImage image, string tag)
    {
        var archive = new LayerBuilder();
        foreach (var (path, bytes) in Files(image, tag, []))
        {
            archive.File(path, bytes);
        }

        using var file = File.Create(tarPath);
        archive.WriteTar(file);
    }

    private static IEnumerable<(string Path, byte[] Bytes)> Files(BuiltImage image, string tag, IReadOnlyList<JsonElement> keptManifests)
    {
        yield return ("oci-layout", LayoutFile);
        foreach (var (digest, _, bytes) in image.Blobs())
        {
            yield return (BlobPath(digest), bytes);
        }

        foreach (var child in image.Children)
        {
            yield return (BlobPath(child.Digest), child.Manifest);
        }

        yield return (BlobPath(image.Digest), image.Manifest);
        yield return ("index.json", JsonBytes.Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", MediaTypes.OciIndex);
            json.WriteStartArray("manifests");
            foreach (var kept in keptManifests)
            {
                kept.WriteTo(json);
            }

            ManifestJson.Descriptor(json, image.MediaType, image.Digest, image.Size, image.Platform, [new(RefNameAnnotation, tag)]);
            json.WriteEndArray();
            json.WriteEndObject();
        }));
    }

    private static string BlobPath(string digest) => "blobs/sha256/" + ContentDigest.Hex(digest);
}
