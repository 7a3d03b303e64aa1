using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;
using ZLayer.Images.Layers;
using ZLayer.Images.Manifests;
using ZLayer.Images.Pull;
using ZLayer.Images.Store;
using ZLayer.Spec.Values;

namespace ZLayer.Images.Transfer;

/// <summary>
/// Brings images in without a registry (air-gapped nodes): an OCI image layout directory, the
/// same as a tar, or a docker-archive tar (<c>docker save</c>). Every blob is verified against its
/// digest on the way into the store and every layer against its diff ID when unpacked, exactly as
/// for a pull; an archive is never trusted more than a registry.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageImporter(ImageStore store, Platform platform, LayerLimits? limits = null)
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string ContainerdNameAnnotation = "io.containerd.image.name";

    /// <param name="name">The reference to store the image under when the archive names none, or to replace a bare tag's repository.</param>
    public async Task<IReadOnlyList<ImageRecord>> ImportAsync(string path, ImageReference? name = null, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        try
        {
            return await ImportAnyAsync(path, name, progress, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BlobVerificationException or ManifestException or LayerException or InvalidOperationException or FormatException)
        {
            throw new ImagePullException($"import {path}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ImagePullException($"import {path}: not a tar archive, or a truncated one ({e.Message})", e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ImagePullException($"import {path}: a JSON document in it is malformed ({e.Message})", e);
        }
    }

    private async Task<IReadOnlyList<ImageRecord>> ImportAnyAsync(string path, ImageReference? name, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return await ImportLayoutAsync(full, full, name, progress, ct).ConfigureAwait(false);
        }

        if (!File.Exists(full))
        {
            throw new ImagePullException($"import {path}: no such file or directory");
        }

        var staging = Path.Combine(store.Root, $".import-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            await ExtractAsync(full, staging, ct).ConfigureAwait(false);
            if (File.Exists(Path.Combine(staging, "index.json")) && File.Exists(Path.Combine(staging, "oci-layout")))
            {
                return await ImportLayoutAsync(staging, full, name, progress, ct).ConfigureAwait(false);
            }

            if (File.Exists(Path.Combine(staging, "manifest.json")))
            {
                return await ImportDockerArchiveAsync(staging, full, name, progress, ct).ConfigureAwait(false);
            }

            throw new ImagePullException($"import {path}: neither an OCI image layout (oci-layout and index.json) nor a docker archive (manifest.json)");
        }
        finally
        {
            LayerRoot.Remove(staging);
        }
    }

    private async Task<IReadOnlyList<ImageRecord>> ImportLayoutAsync(string layout, string source, ImageReference? name, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(layout, "oci-layout")) || !File.Exists(Path.Combine(layout, "index.json")))
        {
            throw new ImagePullException($"import {source}: not an OCI image layout (oci-layout and index.json are required)");
        }

        var indexBytes = await File.ReadAllBytesAsync(Path.Combine(layout, "index.json"), ct).ConfigureAwait(false);
        if (ManifestReader.Read(indexBytes, MediaTypes.OciIndex, $"{source}: index.json") is not ImageIndex index)
        {
            throw new ImagePullException($"import {source}: index.json is not an image index");
        }

        var records = new List<ImageRecord>();
        foreach (var entry in index.Manifests)
        {
            var reference = NameOf(entry, name, source);
            using var pinnedTop = store.Pin([entry.Digest]);
            var top = entry;
            var topBytes = await CopyBlobAsync(layout, source, entry, ct).ConfigureAwait(false);
            var document = ManifestReader.Read(topBytes, entry.MediaType, $"{source}: manifest {entry.Digest}");
            var manifestDescriptor = entry;
            if (document is ImageIndex nested)
            {
                manifestDescriptor = nested.Select(platform)
                    ?? throw new ImagePullException($"import {source}: {reference.Original} has no image for this node's platform {platform}");
                var bytes = await CopyBlobAsync(layout, source, manifestDescriptor, ct).ConfigureAwait(false);
                document = ManifestReader.Read(bytes, manifestDescriptor.MediaType, $"{source}: manifest {manifestDescriptor.Digest}");
            }

            if (document is not ImageManifest manifest)
            {
                throw new ImagePullException($"import {source}: {manifestDescriptor.Digest} is not an image manifest");
            }

            records.Add(await StoreImageAsync(reference, top.Digest, manifestDescriptor.Digest, manifest, d => CopyBlobAsync(layout, source, d, ct), progress, ct).ConfigureAwait(false));
        }

        return records;
    }

    private async Task<IReadOnlyList<ImageRecord>> ImportDockerArchiveAsync(string archive, string source, ImageReference? name, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var entries = JsonNode.Parse(await File.ReadAllBytesAsync(Path.Combine(archive, "manifest.json"), ct).ConfigureAwait(false)) as JsonArray
            ?? throw new ImagePullException($"import {source}: manifest.json is not a JSON array");
        var records = new List<ImageRecord>();
        for (var i = 0; i < entries.Count; i++)
        {
            var at = $"{source}: manifest.json: $[{i}]";
            var entry = entries[i] as JsonObject ?? throw new ImagePullException($"{at}: expected an object");
            var configPath = SafeMember(archive, entry["Config"]?.GetValue<string>(), $"{at}.Config");
            var layerPaths = (entry["Layers"] as JsonArray ?? throw new ImagePullException($"{at}.Layers: is required"))
                .Select((l, j) => SafeMember(archive, l?.GetValue<string>(), $"{at}.Layers[{j}]"))
                .ToList();
            var tags = (entry["RepoTags"] as JsonArray)?.Select(t => t?.GetValue<string>()).OfType<string>().ToList() ?? [];

            var configBytes = await File.ReadAllBytesAsync(configPath, ct).ConfigureAwait(false);
            var config = new Descriptor(MediaTypes.OciConfig, Digest.Sha256(configBytes), configBytes.Length);
            await store.Blobs.PutAsync(configBytes, config.Digest, ct).ConfigureAwait(false);
            var layers = new List<Descriptor>();
            foreach (var layerPath in layerPaths)
            {
                layers.Add(await PutFileAsync(layerPath, ct).ConfigureAwait(false));
            }

            // A docker archive has no registry manifest; an OCI manifest is made for it, so the
            // image is stored, inspected and pushed like any other.
            var manifestBytes = ManifestBytes(config, layers);
            var manifestDigest = await store.Blobs.PutAsync(manifestBytes, null, ct).ConfigureAwait(false);
            var manifest = new ImageManifest(MediaTypes.OciManifest, config, layers);
            var references = tags.Count > 0
                ? tags.Select(t => ImageReference.TryParse(t, out var r, out var error) ? r : throw new ImagePullException($"{at}.RepoTags: {error}")).ToList()
                : [name ?? throw new ImagePullException($"import {source}: image {i + 1} has no RepoTags; give it a name (--name REF)")];
            foreach (var reference in references)
            {
                records.Add(await StoreImageAsync(reference, manifestDigest, manifestDigest, manifest, _ => Task.FromResult<byte[]>([]), progress, ct).ConfigureAwait(false));
            }
        }

        return records;
    }

    private async Task<ImageRecord> StoreImageAsync(ImageReference reference, Digest top, Digest manifestDigest, ImageManifest manifest, Func<Descriptor, Task<byte[]>> copy, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var name = reference.Canonical;
        using var pinned = store.Pin(manifest.Layers.Select(l => l.Digest).Append(manifest.Config.Digest).Append(manifestDigest).Append(top));
        var total = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        progress?.Report(new PullProgress(name, PullPhase.Resolved, Total: total, Message: $"{manifest.Layers.Count} layers"));
        var configBytes = await copy(manifest.Config).ConfigureAwait(false);
        if (configBytes.Length == 0)
        {
            configBytes = await store.Blobs.ReadAllBytesAsync(manifest.Config.Digest, ct).ConfigureAwait(false);
        }

        var config = ManifestReader.ReadConfig(configBytes, $"{reference.Original}: config {manifest.Config.Digest}");
        if (config.DiffIds.Count != manifest.Layers.Count)
        {
            throw new ImagePullException($"import {reference.Original}: the manifest lists {manifest.Layers.Count} layers but the config has {config.DiffIds.Count} diff IDs");
        }

        using var pinnedLayers = store.Pin(config.DiffIds);
        var layers = new List<LayerRecord>();
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var descriptor = manifest.Layers[i];
            await copy(descriptor).ConfigureAwait(false);
            var layer = new LayerRecord(descriptor.Digest, config.DiffIds[i], descriptor.Size, descriptor.MediaType);
            progress?.Report(new PullProgress(name, PullPhase.Extracting, layer.Digest, 0, layer.Size));
            await store.Layers.EnsureAsync(layer.DiffId, layer.MediaType, () => store.Blobs.OpenRead(layer.Digest), limits, ct).ConfigureAwait(false);
            progress?.Report(new PullProgress(name, PullPhase.Ready, layer.Digest, layer.Size, layer.Size));
            layers.Add(layer);
        }

        var record = new ImageRecord(name, top, manifestDigest, manifest.MediaType, manifest.Config.Digest, config.Platform, layers, DateTimeOffset.UtcNow);
        store.Put(record);
        progress?.Report(new PullProgress(name, PullPhase.Done, Current: total, Total: total, Message: $"imported {manifestDigest}"));
        return record;
    }

    /// <summary>Copies a layout's blob into the store (verified) and returns it when it is small enough to be a document.</summary>
    private async Task<byte[]> CopyBlobAsync(string layout, string source, Descriptor descriptor, CancellationToken ct)
    {
        var file = Path.Combine(layout, "blobs", descriptor.Digest.Algorithm, descriptor.Digest.Encoded);
        if (!File.Exists(file))
        {
            throw new ImagePullException($"import {source}: blob {descriptor.Digest} is missing from the layout");
        }

        await using (var ingest = await store.Blobs.BeginAsync(descriptor.Digest, descriptor.Size, ct).ConfigureAwait(false))
        {
            if (!ingest.IsComplete)
            {
                await using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                content.Seek(ingest.Offset, SeekOrigin.Begin);
                await ingest.AppendAsync(content, ct).ConfigureAwait(false);
                await ingest.CommitAsync(ct).ConfigureAwait(false);
            }
        }

        return descriptor.Size <= 4 * 1024 * 1024 && !descriptor.MediaType.Contains("layer", StringComparison.Ordinal)
            ? await store.Blobs.ReadAllBytesAsync(descriptor.Digest, ct).ConfigureAwait(false)
            : [];
    }

    /// <summary>Stores a docker-archive layer file as a blob, its media type told by its first bytes.</summary>
    private async Task<Descriptor> PutFileAsync(string file, CancellationToken ct)
    {
        Digest digest;
        await using (var content = File.OpenRead(file))
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }

            digest = Digest.FromHash("sha256", hash.GetHashAndReset());
        }

        var size = new FileInfo(file).Length;
        await using (var ingest = await store.Blobs.BeginAsync(digest, size, ct).ConfigureAwait(false))
        {
            if (!ingest.IsComplete)
            {
                await using var content = File.OpenRead(file);
                content.Seek(ingest.Offset, SeekOrigin.Begin);
                await ingest.AppendAsync(content, ct).ConfigureAwait(false);
                await ingest.CommitAsync(ct).ConfigureAwait(false);
            }
        }

        var magic = new byte[2];
        await using (var head = File.OpenRead(file))
        {
            await head.ReadExactlyAsync(magic, ct).ConfigureAwait(false);
        }

        return new Descriptor(magic is [0x1f, 0x8b] ? MediaTypes.OciLayerGzip : MediaTypes.OciLayer, digest, size);
    }

    private static byte[] ManifestBytes(Descriptor config, IReadOnlyList<Descriptor> layers)
    {
        static JsonObject Describe(Descriptor d) => new() { ["mediaType"] = d.MediaType, ["digest"] = d.Digest.ToString(), ["size"] = d.Size };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = Describe(config),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Describe(l)).ToArray()),
        };
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }

    private static ImageReference NameOf(Descriptor entry, ImageReference? name, string source)
    {
        var annotated = entry.Annotations?.GetValueOrDefault(ContainerdNameAnnotation) ?? entry.Annotations?.GetValueOrDefault(RefNameAnnotation);
        if (annotated is not null && (annotated.Contains('/') || annotated.Contains(':') || annotated.Contains('@')) && ImageReference.TryParse(annotated, out var full, out _))
        {
            return name ?? full;
        }

        if (name is not null)
        {
            return annotated is not null && name.Tag is "latest" && name.Digest is null && !name.Original.Contains(':')
                ? ImageReference.Parse($"{name.Registry}/{name.Repository}:{annotated}")
                : name;
        }

        throw new ImagePullException($"import {source}: manifest {entry.Digest} has no name (annotation {RefNameAnnotation}); give it one (--name REF)");
    }

    /// <summary>A member path from an archive's manifest, refused if it would leave the archive.</summary>
    private static string SafeMember(string root, string? member, string at)
    {
        if (string.IsNullOrEmpty(member))
        {
            throw new ImagePullException($"{at}: is required");
        }

        var full = Path.GetFullPath(Path.Combine(root, member));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full)
            ? full
            : throw new ImagePullException($"{at}: '{member}' is not a file inside the archive");
    }

    /// <summary>Unpacks the archive's regular files (all an image archive holds) into a private directory; anything else is refused.</summary>
    private static async Task ExtractAsync(string tar, string target, CancellationToken ct)
    {
        await using var file = File.OpenRead(tar);
        var magic = new byte[2];
        var read = await file.ReadAsync(magic, ct).ConfigureAwait(false);
        file.Seek(0, SeekOrigin.Begin);
        Stream input = read == 2 && magic is [0x1f, 0x8b] ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        await using var reader = new TarReader(input);
        var links = new List<(string Path, string Target)>();
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            {
                continue;
            }

            var destination = Inside(target, entry.Name, tar);
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
            {
                // docker save links a layer shared by two images to one copy; the link is resolved
                // (inside the archive only) once every file is out.
                var linkTarget = entry.EntryType == TarEntryType.HardLink
                    ? Inside(target, entry.LinkName, tar)
                    : Inside(target, Path.GetRelativePath(target, Path.Combine(Path.GetDirectoryName(destination)!, entry.LinkName)), tar);
                links.Add((destination, linkTarget));
                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await entry.ExtractToFileAsync(destination, overwrite: true, ct).ConfigureAwait(false);
        }

        foreach (var (path, linkTarget) in links.Where(l => File.Exists(l.Target)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(linkTarget, path, overwrite: true);
        }
    }

    private static string Inside(string root, string name, string tar)
    {
        var full = Path.GetFullPath(Path.Combine(root, name));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(name)
            ? full
            : throw new ImagePullException($"import {tar}: archive entry '{name}' would land outside the archive");
    }
}
