namespace ZLayer.TestImages.Images;

/// <summary>The media types of the OCI image spec and of Docker's schema 2 that the fixtures write.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";

    public static string Manifest(ImageFormat format) => format == ImageFormat.Docker ? DockerManifest : OciManifest;

    public static string Index(ImageFormat format) => format == ImageFormat.Docker ? DockerManifestList : OciIndex;

    public static string Config(ImageFormat format) => format == ImageFormat.Docker ? DockerConfig : OciConfig;

    public static string Layer(ImageFormat format, LayerCompression compression) => (format, compression) switch
    {
        (ImageFormat.Docker, LayerCompression.Gzip) => DockerLayerGzip,
        (ImageFormat.Docker, _) => DockerLayer,
        (_, LayerCompression.Gzip) => OciLayerGzip,
        _ => OciLayer,
    };
}
