namespace ZLayer.TestImages.Images;

/// <summary>Which family of media types an image's manifest, config and layers carry.</summary>
public enum ImageFormat
{
    /// <summary>OCI image spec v1 media types.</summary>
    Oci,

    /// <summary>Docker image manifest schema 2 media types.</summary>
    Docker,
}
