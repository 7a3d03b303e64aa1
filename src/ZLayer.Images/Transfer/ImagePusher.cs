using System.Runtime.Versioning;
using ZLayer.Images.Pull;
using ZLayer.Images.Registry;
using ZLayer.Images.Store;
using ZLayer.Spec.Values;

namespace ZLayer.Images.Transfer;

/// <summary>
/// Sends a stored image to a registry: each blob the target lacks is mounted from the source
/// repository when both live on the same registry (no bytes move), else uploaded; the manifest
/// goes last, so the target tag never names missing content.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImagePusher(ImageStore store, RegistryClient registry)
{
    public async Task PushAsync(ImageRecord source, ImageReference target, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        // The source's content must outlive a concurrent `image rm` and prune until it is sent.
        using var pinned = store.Pin(source.Blobs);
        try
        {
            await PushOnceAsync(source, target, progress, ct).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            var message = e.Message.StartsWith(target.Original + ": ", StringComparison.Ordinal) ? e.Message[(target.Original.Length + 2)..] : e.Message;
            throw new ImagePullException($"push {target.Original}: {message}", e);
        }
    }

    private async Task PushOnceAsync(ImageRecord source, ImageReference target, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var name = target.Canonical;
        ImageReference.TryParse(source.Reference, out var origin, out _);
        var sameRegistry = origin is not null && origin.Registry.Equals(target.Registry, StringComparison.OrdinalIgnoreCase) && origin.Repository != target.Repository;
        var blobs = source.Layers.Select(l => (l.Digest, l.Size)).Append((source.ConfigDigest, store.Blobs.SizeOf(source.ConfigDigest) ?? 0)).ToList();
        var total = blobs.Sum(b => b.Item2);
        progress?.Report(new PullProgress(name, PullPhase.Resolved, Total: total, Message: $"{source.Layers.Count} layers"));
        foreach (var (digest, size) in blobs)
        {
            if (!store.Blobs.Contains(digest))
            {
                throw new ImagePullException($"push {target.Original}: blob {digest} of {source.Reference} is not in the local store; pull the image again");
            }

            if (await registry.BlobExistsAsync(target, digest, ct).ConfigureAwait(false))
            {
                progress?.Report(new PullProgress(name, PullPhase.Present, digest, size, size, "already there"));
                continue;
            }

            if (sameRegistry && await registry.MountBlobAsync(target, origin!.Repository, digest, ct).ConfigureAwait(false))
            {
                progress?.Report(new PullProgress(name, PullPhase.Present, digest, size, size, $"mounted from {origin.Repository}"));
                continue;
            }

            progress?.Report(new PullProgress(name, PullPhase.Downloading, digest, 0, size));
            await registry.UploadBlobAsync(target, digest, size, () => store.Blobs.OpenRead(digest), ct).ConfigureAwait(false);
            progress?.Report(new PullProgress(name, PullPhase.Downloaded, digest, size, size));
        }

        var manifest = await store.Blobs.ReadAllBytesAsync(source.ManifestDigest, ct).ConfigureAwait(false);
        await registry.PutManifestAsync(target, target.Digest ?? target.Tag ?? "latest", manifest, source.ManifestMediaType, ct).ConfigureAwait(false);
        progress?.Report(new PullProgress(name, PullPhase.Done, Current: total, Total: total, Message: $"pushed {source.ManifestDigest}"));
    }
}
