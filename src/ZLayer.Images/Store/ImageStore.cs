using System.Runtime.Versioning;
using ZLayer.Images.Content;
using ZLayer.Spec.Values;

namespace ZLayer.Images.Store;

/// <summary>What a collection freed.</summary>
public sealed record PruneResult(int Blobs, long BlobBytes, int Layers);

/// <summary>
/// The node's images under one directory: <c>blobs/</c> and <c>ingest/</c> (the blob store),
/// <c>layers/</c> (unpacked layers by diff ID) and <c>images.json</c> (references). Content is
/// shared: two images with a common layer store and unpack it once.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageStore
{
    private readonly ImageRecords _records;

    // Content a pull or import is working with and has not recorded yet: collection keeps it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Digest, int> _pinned = new();

    public ImageStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Blobs = new BlobStore(Root);
        Layers = new LayerCache(Path.Combine(Root, "layers"));
        _records = new ImageRecords(Path.Combine(Root, "images.json"));
    }

    public string Root { get; }

    public BlobStore Blobs { get; }

    public LayerCache Layers { get; }

    public IReadOnlyList<ImageRecord> List() => _records.All();

    public ImageRecord? Find(ImageReference reference) => _records.Find(reference.Canonical);

    /// <summary>
    /// Finds an image as an operator names it: a reference (normalised as Docker does), or a
    /// manifest digest or a unique prefix of at least 12 hex digits of one.
    /// </summary>
    public ImageRecord? Resolve(string text)
    {
        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length >= 12 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            var matches = List().Where(r => r.ManifestDigest.Encoded.StartsWith(hex, StringComparison.Ordinal)).ToList();
            if (matches.Count > 0)
            {
                return matches.Count == 1 || matches.Select(m => m.ManifestDigest).Distinct().Count() == 1 ? matches[0] : null;
            }
        }

        return ImageReference.TryParse(text, out var reference, out _) ? Find(reference) : null;
    }

    /// <summary>Whether everything the image needs is here: its blobs and its unpacked layers.</summary>
    public bool IsComplete(ImageRecord record) =>
        record.Blobs.All(Blobs.Contains) && record.Layers.All(l => Layers.Contains(l.DiffId));

    public void Put(ImageRecord record) => _records.Put(record);

    /// <summary>Removes a reference; its content stays until <see cref="Prune"/> finds nothing else needs it.</summary>
    public bool Remove(string canonicalReference) => _records.Remove(canonicalReference);

    /// <summary>
    /// Keeps blobs and unpacked layers (by digest or diff ID) from collection until the returned
    /// lease is disposed: a pull pins what its manifest names before it fetches anything, so a
    /// concurrent prune cannot delete content the pull is about to record.
    /// </summary>
    public IDisposable Pin(IEnumerable<Digest> content)
    {
        var pinned = content.Distinct().ToList();
        foreach (var digest in pinned)
        {
            _pinned.AddOrUpdate(digest, 1, (_, n) => n + 1);
        }

        return new Lease(() =>
        {
            foreach (var digest in pinned)
            {
                if (_pinned.AddOrUpdate(digest, 0, (_, n) => n - 1) <= 0)
                {
                    _pinned.TryRemove(new KeyValuePair<Digest, int>(digest, 0));
                }
            }
        });
    }

    /// <summary>
    /// Deletes blobs and unpacked layers that no stored image needs, nor any image whose manifest
    /// is in <paramref name="manifestsInUse"/>: replicas run from those, even after their
    /// reference was removed, and their layers are the lower directories of mounted rootfs.
    /// </summary>
    public PruneResult Prune(IEnumerable<Digest>? manifestsInUse = null)
    {
        var images = List();
        var pinned = _pinned.Keys.ToList();
        var keepBlobs = images.SelectMany(i => i.Blobs).Concat(pinned).ToHashSet();
        var keepLayers = images.SelectMany(i => i.Layers).Select(l => l.DiffId).Concat(pinned).ToHashSet();
        foreach (var manifest in manifestsInUse ?? [])
        {
            KeepContentOf(manifest, keepBlobs, keepLayers);
        }

        var blobsBefore = Blobs.List().Count();
        var freed = Blobs.Collect(keepBlobs);
        var blobsAfter = Blobs.List().Count();
        var layers = Layers.Collect(keepLayers);
        return new PruneResult(blobsBefore - blobsAfter, freed, layers);
    }

    /// <summary>Adds what a stored manifest names (config, layer blobs, diff IDs) to the keep sets; a manifest no longer here has nothing left to keep.</summary>
    private void KeepContentOf(Digest manifestDigest, HashSet<Digest> keepBlobs, HashSet<Digest> keepLayers)
    {
        if (!Blobs.Contains(manifestDigest))
        {
            return;
        }

        keepBlobs.Add(manifestDigest);
        var name = $"manifest {manifestDigest}";
        if (Manifests.ManifestReader.Read(File.ReadAllBytes(Blobs.PathOf(manifestDigest)), null, name) is not Manifests.ImageManifest manifest)
        {
            return;
        }

        keepBlobs.Add(manifest.Config.Digest);
        keepBlobs.UnionWith(manifest.Layers.Select(l => l.Digest));
        if (Blobs.Contains(manifest.Config.Digest))
        {
            var config = Manifests.ManifestReader.ReadConfig(File.ReadAllBytes(Blobs.PathOf(manifest.Config.Digest)), $"config {manifest.Config.Digest}");
            keepLayers.UnionWith(config.DiffIds);
        }
    }

    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
