namespace ZLayer.TestImages.Images;

/// <summary>A layer as a registry stores it (<see cref="Bytes"/>) and as its tar (<see cref="Tar"/>, whose digest is the diff ID).</summary>
public sealed class BuiltLayer
{
    internal BuiltLayer(string mediaType, LayerCompression compression, byte[] bytes, byte[] tar, string? createdBy)
    {
        MediaType = mediaType;
        Compression = compression;
        Bytes = bytes;
        Tar = tar;
        Digest = ContentDigest.Sha256(bytes);
        DiffId = compression == LayerCompression.None ? Digest : ContentDigest.Sha256(tar);
        CreatedBy = createdBy;
    }

    public string MediaType { get; }

    public LayerCompression Compression { get; }

    /// <summary>The blob: the compressed tar, or the tar itself when uncompressed.</summary>
    public byte[] Bytes { get; }

    public byte[] Tar { get; }

    /// <summary>Digest of <see cref="Bytes"/>, as the manifest's layer descriptor names it.</summary>
    public string Digest { get; }

    /// <summary>Digest of <see cref="Tar"/>, as the config's rootfs.diff_ids names it.</summary>
    public string DiffId { get; }

    public long Size => Bytes.LongLength;

    public string? CreatedBy { get; }
}
