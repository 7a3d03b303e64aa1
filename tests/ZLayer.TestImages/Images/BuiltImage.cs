namespace ZLayer.TestImages.Images;

/// <summary>
/// A finished image, or an index over several: every byte a registry or a layout would hold,
/// with the digests that name it.
/// </summary>
public sealed class BuiltImage
{
    internal BuiltImage(ImageFormat format, ImageBlob manifest, ImagePlatform? platform, ImageBlob? config, IReadOnlyList<BuiltLayer> layers, IReadOnlyList<BuiltImage> children)
    {
        Format = format;
        ManifestBlob = manifest;
        Platform = platform;
        Config = config;
        Layers = layers;
        Children = children;
    }

    public ImageFormat Format { get; }

    /// <summary>The manifest (or index) as a blob.</summary>
    public ImageBlob ManifestBlob { get; }

    public byte[] Manifest => ManifestBlob.Bytes;

    /// <summary>The manifest's digest: what a registry answers in Docker-Content-Digest.</summary>
    public string Digest => ManifestBlob.Digest;

    public string MediaType => ManifestBlob.MediaType;

    public long Size => ManifestBlob.Size;

    public bool IsIndex => Children.Count > 0;

    /// <summary>The image's platform; for an index, null.</summary>
    public ImagePlatform? Platform { get; }

    /// <summary>The config blob; for an index, null.</summary>
    public ImageBlob? Config { get; }

    /// <summary>The layers, bottom first; for an index, empty.</summary>
    public IReadOnlyList<BuiltLayer> Layers { get; }

    /// <summary>For an index, the images it lists in order; otherwise empty.</summary>
    public IReadOnlyList<BuiltImage> Children { get; }

    /// <summary>The image's single-platform manifest for <paramref name="platform"/>, itself when it is one.</summary>
    public BuiltImage ForPlatform(ImagePlatform platform) =>
        IsIndex ? Children.Single(c => c.Platform == platform) : Platform == platform ? this : throw new InvalidOperationException($"image is {Platform}, not {platform}");

    /// <summary>Every config and layer blob of this image and its children, each once.</summary>
    public IReadOnlyList<(string Digest, string MediaType, byte[] Bytes)> Blobs()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var blobs = new List<(string, string, byte[])>();
        foreach (var image in IsIndex ? Children : [this])
        {
            foreach (var layer in image.Layers)
            {
                if (seen.Add(layer.Digest))
                {
                    blobs.Add((layer.Digest, layer.MediaType, layer.Bytes));
                }
            }

            if (image.Config is { } config && seen.Add(config.Digest))
            {
                blobs.Add((config.Digest, config.MediaType, config.Bytes));
            }
        }

        return blobs;
    }

    /// <summary>Writes (or adds to) an OCI image layout in <paramref name="directory"/>, tagged <paramref name="tag"/>.</summary>
    public void WriteOciLayout(string directory, string tag = "latest") => OciLayoutWriter.Write(directory, this, tag);

    /// <summary>Writes an OCI image layout as a tar file, as <c>oci-archive:</c> reads it.</summary>
    public void WriteOciLayoutTar(string tarPath, string tag = "latest") => OciLayoutWriter.WriteTar(tarPath, this, tag);

    /// <summary>Writes the image as <c>docker save</c> does, tagged <paramref name="repoTag"/> (name:tag).</summary>
    public void WriteDockerArchive(string tarPath, string repoTag) => DockerArchiveWriter.Write(tarPath, this, repoTag);
}
