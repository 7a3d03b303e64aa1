using ZLayer.Images.Content;
using ZLayer.Images.Manifests;

namespace ZLayer.Images.Store;

/// <summary>One layer of a stored image: the blob as pulled and the diff ID its unpacked form is cached under.</summary>
public sealed record LayerRecord(Digest Digest, Digest DiffId, long Size, string MediaType);

/// <summary>
/// A name in the local store: a canonical reference and the content it resolved to when pulled
/// or imported. Several references may share a manifest; all share blobs and layers.
/// </summary>
/// <param name="Reference">The canonical reference, e.g. <c>docker.io/library/busybox:latest</c>.</param>
/// <param name="TopDigest">What the reference itself resolved to: the index when there was one, else the manifest.</param>
/// <param name="ManifestDigest">The manifest for this node's platform.</param>
public sealed record ImageRecord(
    string Reference,
    Digest TopDigest,
    Digest ManifestDigest,
    string ManifestMediaType,
    Digest ConfigDigest,
    Platform Platform,
    IReadOnlyList<LayerRecord> Layers,
    DateTimeOffset StoredAt)
{
    /// <summary>Bytes of the compressed layers, as a registry reports an image size.</summary>
    public long Size => Layers.Sum(l => l.Size);

    /// <summary>Every blob the image needs kept.</summary>
    public IEnumerable<Digest> Blobs => Layers.Select(l => l.Digest).Append(ConfigDigest).Append(ManifestDigest).Append(TopDigest).Distinct();
}
