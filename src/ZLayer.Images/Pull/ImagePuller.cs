using System.Collections.Concurrent;
using System.Runtime.Versioning;
using ZLayer.Images.Content;
using ZLayer.Images.Layers;
using ZLayer.Images.Manifests;
using ZLayer.Images.Registry;
using ZLayer.Images.Store;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Images.Pull;

/// <summary>
/// Brings images from registries into the <see cref="ImageStore"/>: resolves the reference (an
/// index to this node's platform), fetches the config and layers a few at a time, each verified
/// against its digest before it is stored, unpacks each layer into the shared cache as soon as it
/// has arrived, and only then records the reference. Concurrent pulls of one reference share one
/// transfer.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImagePuller(ImageStore store, RegistryClient registry, Platform? platform = null, int parallelism = 3, LayerLimits? limits = null, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, SharedPull> _inFlight = new(StringComparer.Ordinal);
    private readonly Platform _platform = platform ?? Platform.Current;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Gives the image as <paramref name="policy"/> says (SPEC.md): <c>never</c> only uses the store;
    /// <c>if_not_present</c> pulls when the store lacks it; <c>newer</c> pulls when the registry's
    /// digest differs from the stored one (and uses the stored image when the registry cannot be
    /// asked); <c>always</c> pulls, reusing stored blobs. A reference pinned by digest is immutable, so
    /// a complete stored copy satisfies every policy.
    /// </summary>
    public async Task<ImageRecord> EnsureAsync(ImageReference image, PullPolicy policy, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        var stored = store.Find(image) is { } found && store.IsComplete(found) ? found : null;
        if (stored is not null && (image.Digest is not null || policy is PullPolicy.IfNotPresent or PullPolicy.Never))
        {
            progress?.Report(new PullProgress(image.Canonical, PullPhase.Done, Message: "present"));
            return stored;
        }

        switch (policy)
        {
            case PullPolicy.Never:
                throw new ImagePullException($"image {image.Original} is not in the local store and its pull_policy is never; pull or import it first (`zlayer image pull {image.Original}`)");
            case PullPolicy.Newer when stored is not null:
                Digest? remote;
                try
                {
                    remote = await registry.ResolveDigestAsync(image, image.Tag ?? "latest", ct).ConfigureAwait(false);
                }
                catch (RegistryException e)
                {
                    progress?.Report(new PullProgress(image.Canonical, PullPhase.Done, Message: $"using the stored image: cannot check for a newer one ({e.Message})"));
                    return stored;
                }

                if (remote == stored.TopDigest)
                {
                    progress?.Report(new PullProgress(image.Canonical, PullPhase.Done, Message: "up to date"));
                    return stored;
                }

                break;
        }

        return await PullAsync(image, progress, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches the image from its registry (or mirrors) and records it. Callers asking for the same
    /// reference at once share one transfer and all see its progress; it is cancelled only when
    /// every one of them has given up, and a cancelled caller returns once the transfer has let go
    /// of its files, so a new pull can resume them at once.
    /// </summary>
    public async Task<ImageRecord> PullAsync(ImageReference image, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        SharedPull pull;
        lock (_inFlight)
        {
            if (!_inFlight.TryGetValue(image.Canonical, out pull!) || pull.Abandoned)
            {
                // The caller joins before the transfer starts, so it hears the very first step.
                var started = new SharedPull();
                started.Join(progress);
                started.Task = Task.Run(() => RunAsync(image, started, started.Cancellation.Token), CancellationToken.None);
                _ = started.Task.ContinueWith(
                    _ =>
                    {
                        lock (_inFlight)
                        {
                            _inFlight.TryRemove(new KeyValuePair<string, SharedPull>(image.Canonical, started));
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                _inFlight[image.Canonical] = started;
                pull = started;
            }
            else
            {
                pull.Join(progress);
            }
        }

        try
        {
            return await pull.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (pull.Leave(progress))
            {
                await pull.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task<ImageRecord> RunAsync(ImageReference image, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        try
        {
            return await PullOnceAsync(image, progress, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or ManifestException or BlobVerificationException or LayerException)
        {
            throw new ImagePullException($"pull {image.Original}: {Strip(e.Message, image)}", e);
        }
    }

    private async Task<ImageRecord> PullOnceAsync(ImageReference image, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var name = image.Canonical;
        progress?.Report(new PullProgress(name, PullPhase.Resolving));
        var top = await registry.GetManifestAsync(image, image.Digest ?? image.Tag ?? "latest", ct).ConfigureAwait(false);
        var document = ManifestReader.Read(top.Content, top.MediaType, $"{image.Original}: manifest {top.Digest}");
        var manifestBytes = top.Content;
        var manifestDigest = top.Digest;
        if (document is ImageIndex index)
        {
            var chosen = index.Select(_platform) ?? throw new ImagePullException(
                $"pull {image.Original}: no image for this node's platform {_platform} (the index offers {string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "unspecified").Distinct())})");
            var child = await registry.GetManifestAsync(image, chosen.Digest.ToString(), ct).ConfigureAwait(false);
            if (child.Content.Length != chosen.Size)
            {
                throw new ImagePullException($"pull {image.Original}: manifest {chosen.Digest} is {child.Content.Length} bytes, the index says {chosen.Size}");
            }

            document = ManifestReader.Read(child.Content, child.MediaType ?? chosen.MediaType, $"{image.Original}: manifest {chosen.Digest}");
            if (document is not ImageManifest)
            {
                throw new ImagePullException($"pull {image.Original}: the index entry {chosen.Digest} for {_platform} is not an image manifest");
            }

            manifestBytes = child.Content;
            manifestDigest = chosen.Digest;
            await store.Blobs.PutAsync(top.Content, top.Digest, ct).ConfigureAwait(false);
        }

        var manifest = (ImageManifest)document;
        using var pinnedBlobs = store.Pin(manifest.Layers.Select(l => l.Digest).Append(manifest.Config.Digest).Append(manifestDigest).Append(top.Digest));
        var total = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        progress?.Report(new PullProgress(name, PullPhase.Resolved, Total: total, Message: $"{manifest.Layers.Count} layers"));

        await FetchAsync(image, manifest.Config, progress, ct).ConfigureAwait(false);
        var configBytes = await store.Blobs.ReadAllBytesAsync(manifest.Config.Digest, ct).ConfigureAwait(false);
        var config = ManifestReader.ReadConfig(configBytes, $"{image.Original}: config {manifest.Config.Digest}");
        if (config.DiffIds.Count != manifest.Layers.Count)
        {
            throw new ImagePullException($"pull {image.Original}: the manifest lists {manifest.Layers.Count} layers but the config has {config.DiffIds.Count} diff IDs");
        }

        if (_platform.Match(config.Platform) == PlatformMatch.None)
        {
            throw new ImagePullException($"pull {image.Original}: the image is for {config.Platform}, this node is {_platform}");
        }

        var layers = manifest.Layers.Select((l, i) => new LayerRecord(l.Digest, config.DiffIds[i], l.Size, l.MediaType)).ToList();
        using var pinnedLayers = store.Pin(config.DiffIds);
        foreach (var layer in layers.Where(l => LayerFormat.FromMediaType(l.MediaType) == LayerCompression.Zstd))
        {
            throw new ImagePullException($"pull {image.Original}: layer {layer.Digest} is zstd-compressed ({layer.MediaType}), which this node cannot unpack: no zstd decoder is available");
        }

        using var slots = new SemaphoreSlim(Math.Max(1, parallelism));
        await Task.WhenAll(layers.Select(async layer =>
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // Fetched even when the unpacked layer is cached: the blob is what push and inspect use.
                await FetchAsync(image, manifest.Layers.First(l => l.Digest == layer.Digest), progress, ct).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }

            await UnpackAsync(image, layer, progress, ct).ConfigureAwait(false);
        })).ConfigureAwait(false);

        // The manifest is stored last of the blobs: a record is written only when everything it names is here.
        await store.Blobs.PutAsync(manifestBytes, manifestDigest, ct).ConfigureAwait(false);
        var previous = store.Find(image);
        var record = new ImageRecord(name, top.Digest, manifestDigest, manifest.MediaType, manifest.Config.Digest, config.Platform, layers, _time.GetUtcNow());
        store.Put(record);
        var outcome = previous?.TopDigest == record.TopDigest ? "up to date" : previous is null ? "pulled" : "updated";
        progress?.Report(new PullProgress(name, PullPhase.Done, Current: total, Total: total, Message: $"{outcome} {manifestDigest}"));
        return record;
    }

    /// <summary>Downloads one blob into the store, resuming with a Range request after a failure.</summary>
    private async Task FetchAsync(ImageReference image, Descriptor blob, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var name = image.Canonical;
        for (var attempt = 1; ; attempt++)
        {
            await using var ingest = await store.Blobs.BeginAsync(blob.Digest, blob.Size, ct).ConfigureAwait(false);
            if (ingest.IsComplete)
            {
                progress?.Report(new PullProgress(name, PullPhase.Present, blob.Digest, blob.Size, blob.Size));
                return;
            }

            try
            {
                await using var body = await registry.OpenBlobAsync(image, blob.Digest, ingest.Offset, ct).ConfigureAwait(false);
                await SkipAsync(body.Content, ingest.Offset - body.Offset, ct).ConfigureAwait(false);
                var counted = new ProgressStream(body.Content, ingest.Offset, n => progress?.Report(new PullProgress(name, PullPhase.Downloading, blob.Digest, n, blob.Size)));
                await ingest.AppendAsync(counted, ct).ConfigureAwait(false);
                await ingest.CommitAsync(ct).ConfigureAwait(false);
                progress?.Report(new PullProgress(name, PullPhase.Downloaded, blob.Digest, blob.Size, blob.Size));
                return;
            }
            catch (Exception e) when (attempt < registry.Options.Attempts && IsTransient(e) && !ct.IsCancellationRequested)
            {
                progress?.Report(new PullProgress(name, PullPhase.Retrying, blob.Digest, ingest.Offset, blob.Size, e.Message));
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new RegistryException($"{image.Original}: blob {blob.Digest}: the transfer broke off after {ingest.Offset} of {blob.Size} bytes: {e.Message}", null, e);
            }
        }
    }

    private async Task UnpackAsync(ImageReference image, LayerRecord layer, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var name = image.Canonical;
        if (!store.Layers.Contains(layer.DiffId))
        {
            progress?.Report(new PullProgress(name, PullPhase.Extracting, layer.Digest, 0, layer.Size));
        }

        await store.Layers.EnsureAsync(layer.DiffId, layer.MediaType, () => store.Blobs.OpenRead(layer.Digest), limits, ct).ConfigureAwait(false);
        progress?.Report(new PullProgress(name, PullPhase.Ready, layer.Digest, layer.Size, layer.Size));
    }

    private static bool IsTransient(Exception e) =>
        e is IOException or HttpRequestException || (e is RegistryException r && r.IsTransient);

    private static async Task SkipAsync(Stream stream, long count, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the registry's answer ended before the resume point");
            }

            count -= n;
        }
    }

    // Registry messages begin with the image name; the pull error names it once.
    private static string Strip(string message, ImageReference image) =>
        message.StartsWith(image.Original + ": ", StringComparison.Ordinal) ? message[(image.Original.Length + 2)..] : message;

    /// <summary>One transfer and the callers waiting on it; their progress sinks all hear it.</summary>
    private sealed class SharedPull : IProgress<PullProgress>
    {
        private readonly List<IProgress<PullProgress>?> _waiters = [];

        public CancellationTokenSource Cancellation { get; } = new();

        public Task<ImageRecord> Task { get; set; } = null!;

        public bool Abandoned => Cancellation.IsCancellationRequested;

        public void Join(IProgress<PullProgress>? progress)
        {
            lock (_waiters)
            {
                _waiters.Add(progress);
            }
        }

        /// <summary>Returns true when this was the last waiter, which cancels the transfer.</summary>
        public bool Leave(IProgress<PullProgress>? progress)
        {
            lock (_waiters)
            {
                _waiters.Remove(progress);
                if (_waiters.Count > 0 || Task.IsCompleted)
                {
                    return false;
                }
            }

            Cancellation.Cancel();
            return true;
        }

        public void Report(PullProgress value)
        {
            IProgress<PullProgress>?[] sinks;
            lock (_waiters)
            {
                sinks = [.. _waiters];
            }

            foreach (var sink in sinks)
            {
                sink?.Report(value);
            }
        }
    }
}
