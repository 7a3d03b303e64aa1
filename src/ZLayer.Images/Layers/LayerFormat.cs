namespace ZLayer.Images.Layers;

/// <summary>
/// The layer media types this unpacker knows, and how to tell the compression of a blob. The
/// magic bytes decide over the media type because registries and old tools mislabel layers (a
/// gzip blob served as plain tar is common); a declared zstd layer is refused even when its bytes
/// do not look like zstd, since no zstd decoder ships with .NET and guessing would only hide it.
/// </summary>
public static class LayerFormat
{
    public const string OciTar = "application/vnd.oci.image.layer.v1.tar";
    public const string OciTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciNondistributableTar = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciNondistributableTarGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciNondistributableTarZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public const string DockerTarGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignTarGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>The longest magic number <see cref="Sniff"/> looks at.</summary>
    public const int MagicLength = 4;

    /// <summary>The compression a media type declares, or null if it is not a layer media type.</summary>
    public static LayerCompression? FromMediaType(string mediaType) => mediaType switch
    {
        OciTar or OciNondistributableTar => LayerCompression.None,
        OciTarGzip or OciNondistributableTarGzip or DockerTarGzip or DockerForeignTarGzip => LayerCompression.Gzip,
        OciTarZstd or OciNondistributableTarZstd => LayerCompression.Zstd,
        _ => null,
    };

    /// <summary>The compression the first bytes of a blob show; <see cref="LayerCompression.None"/> if neither magic matches.</summary>
    public static LayerCompression Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return LayerCompression.Gzip;
        }

        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD)
        {
            return LayerCompression.Zstd;
        }

        return LayerCompression.None;
    }
}
