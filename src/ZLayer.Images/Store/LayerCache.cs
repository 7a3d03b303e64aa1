using System.Collections.Concurrent;
using System.Runtime.Versioning;
using ZLayer.Images.Content;
using ZLayer.Images.Layers;

namespace ZLayer.Images.Store;

/// <summary>
/// Unpacked layers under <c>layers/ALGORITHM/ENCODED</c> by diff ID, each a finished directory
/// ready to be an overlayfs lower directory, shared by every image that has the layer. A layer
/// appears only complete: the unpacker fills a staging directory and renames it into place.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LayerCache
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public LayerCache(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(Digest diffId) => Path.Combine(Root, diffId.Algorithm, diffId.Encoded);

    public bool Contains(Digest diffId) => Directory.Exists(PathOf(diffId));

    /// <summary>Unpacks a layer blob unless its diff ID is already cached; returns the directory.</summary>
    public async Task<string> EnsureAsync(Digest diffId, string mediaType, Func<Stream> openBlob, LayerLimits? limits, CancellationToken ct)
    {
        var target = PathOf(diffId);
        var gate = _locks.GetOrAdd(diffId.ToString(), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Directory.Exists(target))
            {
                return target;
            }

            await using var blob = openBlob();
            await LayerUnpacker.UnpackAsync(blob, mediaType, target, diffId, limits, LayerUnpackMode.OverlayLower, ct).ConfigureAwait(false);
            return target;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Every cached diff ID.</summary>
    public IEnumerable<Digest> List()
    {
        foreach (var algorithm in Directory.EnumerateDirectories(Root))
        {
            foreach (var layer in Directory.EnumerateDirectories(algorithm))
            {
                var name = Path.GetFileName(layer);
                if (!name.StartsWith('.') && Digest.TryParse($"{Path.GetFileName(algorithm)}:{name}", out var diffId, out _))
                {
                    yield return diffId;
                }
            }
        }
    }

    /// <summary>Removes cached layers not in <paramref name="keep"/> and staging leftovers of interrupted unpacks; returns how many layers went.</summary>
    public int Collect(IReadOnlySet<Digest> keep)
    {
        var removed = 0;
        foreach (var diffId in List().ToList())
        {
            if (keep.Contains(diffId))
            {
                continue;
            }

            var gate = _locks.GetOrAdd(diffId.ToString(), _ => new SemaphoreSlim(1, 1));
            if (!gate.Wait(0))
            {
                continue; // being unpacked by a pull in progress
            }

            try
            {
                LayerRoot.Remove(PathOf(diffId));
                removed++;
            }
            finally
            {
                gate.Release();
            }
        }

        foreach (var algorithm in Directory.EnumerateDirectories(Root))
        {
            foreach (var staging in Directory.EnumerateDirectories(algorithm, ".*.unpack-*"))
            {
                var encoded = Path.GetFileName(staging)[1..].Split(".unpack-")[0];
                var gate = _locks.GetOrAdd($"{Path.GetFileName(algorithm)}:{encoded}", _ => new SemaphoreSlim(1, 1));
                if (gate.Wait(0))
                {
                    try
                    {
                        LayerRoot.Remove(staging);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }
        }

        return removed;
    }
}
