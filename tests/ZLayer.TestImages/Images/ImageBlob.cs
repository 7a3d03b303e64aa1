namespace ZLayer.TestImages.Images;

/// <summary>A piece of content addressed by its digest: a manifest, an index or a config.</summary>
public sealed class ImageBlob
{
    public ImageBlob(string mediaType, byte[] bytes)
    {
        MediaType = mediaType;
        Bytes = bytes;
        Digest = ContentDigest.Sha256(bytes);
    }

    public string MediaType { get; }

    public byte[] Bytes { get; }

    public string Digest { get; }

    public long Size => Bytes.LongLength;
}
