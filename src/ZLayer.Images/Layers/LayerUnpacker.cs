using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using ZLayer.Images.Content;

namespace ZLayer.Images.Layers;

/// <summary>
/// Unpacks OCI / Docker image layer blobs into a directory, verifying the diff ID on the way and
/// honouring whiteouts by deleting what they hide ("apply onto a rootfs" mode).
/// </summary>
/// <remarks>
/// <para>
/// Where the result lands depends on the target:
/// a missing or empty target directory is filled all-or-nothing: the layer unpacks into a private
/// sibling directory (<c>.NAME.unpack-*</c>) that is renamed onto the target only once every entry
/// is written and the diff ID matches, and removed otherwise, so a failed layer leaves nothing
/// behind. A non-empty target is taken to be a rootfs with the lower layers already applied; the
/// layer is applied to it in place, because staging would mean copying the whole rootfs. If that
/// fails the rootfs is partly changed and the caller must discard it (it is derived data,
/// rebuildable from the layers).
/// </para>
/// <para>
/// For overlayfs (<see cref="LayerUnpackMode.OverlayLower"/>), each layer goes into its own fresh
/// directory and whiteouts are recorded the way overlayfs records them: a 0/0 character device
/// for a removed name, the <c>trusted.overlay.opaque</c> xattr (<c>user.overlay.opaque</c> without
/// privilege, for mounts with <c>userxattr</c>) for an opaque directory.
/// </para>
/// <para>
/// Extended attributes (PAX <c>SCHILY.xattr.*</c>) are set where the filesystem and privilege
/// allow. Not reproduced: xattrs whose value is not valid UTF-8 (the tar reader decodes PAX values
/// as text, so binary values such as file capabilities would arrive altered), the mode and owner
/// of the layer root itself, and device nodes when the process may not create them; each such
/// entry is listed in <see cref="LayerUnpackResult.Notes"/>.
/// </para>
/// </remarks>
[SupportedOSPlatform("linux")]
public static class LayerUnpacker
{
    private const int TarBlock = 512;

    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PublicDirectory = PrivateDirectory
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Unpacks <paramref name="blob"/> (read to its end, not disposed) into <paramref name="targetDirectory"/>.</summary>
    /// <param name="blob">The layer blob as stored, compressed or not.</param>
    /// <param name="mediaType">The layer's descriptor media type.</param>
    /// <param name="targetDirectory">Where the layer's files go; see the remarks for missing versus existing directories.</param>
    /// <param name="expectedDiffId">The diff ID from the image config; the uncompressed tar stream must hash to it.</param>
    /// <param name="limits">Size and entry bounds; <see cref="LayerLimits.Default"/> when null.</param>
    /// <param name="mode">Whether whiteouts delete (onto a rootfs) or are recorded for overlayfs.</param>
    /// <exception cref="LayerException">The layer is unsupported, unsafe, corrupt, over its limits or does not match its diff ID.</exception>
    public static async Task<LayerUnpackResult> UnpackAsync(
        Stream blob,
        string mediaType,
        string targetDirectory,
        Digest expectedDiffId,
        LayerLimits? limits = null,
        LayerUnpackMode mode = LayerUnpackMode.ApplyToRootfs,
        CancellationToken cancellationToken = default)
    {
        limits ??= LayerLimits.Default;
        var declared = LayerFormat.FromMediaType(mediaType)
            ?? throw new LayerException(expectedDiffId, null, $"unsupported layer media type '{mediaType}'");
        if (declared == LayerCompression.Zstd)
        {
            throw ZstdRefused(expectedDiffId, $"media type '{mediaType}'");
        }

        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        var targetKind = LayerRoot.Inspect(target);
        if (targetKind is NodeKind.Symlink or NodeKind.Other)
        {
            throw new LayerException(expectedDiffId, null, $"target '{target}' is not a directory");
        }

        if (targetKind == NodeKind.Directory && Directory.EnumerateFileSystemEntries(target).Any())
        {
            var inPlace = new Unpacking(expectedDiffId, new LayerRoot(target), limits, mode);
            return await inPlace.RunAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        var parent = Path.GetDirectoryName(target)
            ?? throw new LayerException(expectedDiffId, null, "cannot unpack a layer onto the filesystem root");
        Directory.CreateDirectory(parent);
        var staging = Path.Join(parent, $".{Path.GetFileName(target)}.unpack-{Guid.NewGuid():N}");

        // Private while unpacking so nobody else can plant entries in it between our checks and writes.
        Directory.CreateDirectory(staging, PrivateDirectory);
        try
        {
            var staged = new Unpacking(expectedDiffId, new LayerRoot(staging), limits, mode);
            var result = await staged.RunAsync(blob, cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(staging, PublicDirectory);
            if (targetKind == NodeKind.Directory)
            {
                // Only an empty directory gets here; Directory.Delete refuses anything else.
                Directory.Delete(target);
            }

            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException e)
            {
                throw new LayerException(expectedDiffId, null, $"cannot move the unpacked layer to '{target}': {e.Message}", e);
            }

            return result;
        }
        catch
        {
            TryRemove(staging);
            throw;
        }
    }

    private static LayerException ZstdRefused(Digest layer, string evidence) =>
        new(layer, null, $"zstd-compressed layer ({evidence}) is not supported: no zstd decoder is available");

    private static void TryRemove(string path)
    {
        try
        {
            LayerRoot.Remove(path);
        }
        catch (Exception)
        {
            // The original failure matters more than leftovers; a staging name is never reused.
        }
    }

    private readonly record struct DirectoryMetadata(string FullPath, int Depth, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime);

    /// <summary>One unpack run: the state that lives as long as one layer's archive is read.</summary>
    private sealed class Unpacking(Digest layer, LayerRoot root, LayerLimits limits, LayerUnpackMode mode)
    {
        private readonly bool _privileged = Environment.IsPrivilegedProcess;

        // Every path this layer wrote plus all their ancestors: whiteouts only hide lower layers.
        private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

        // Applied last, deepest first: creating children changes a directory's mtime, and a
        // read-only mode would stop an unprivileged process from creating them.
        private readonly Dictionary<string, DirectoryMetadata> _directories = new(StringComparer.Ordinal);

        private readonly List<string> _notes = [];
        private long _entries;
        private long _fileBytes;

        public async Task<LayerUnpackResult> RunAsync(Stream blob, CancellationToken cancellationToken)
        {
            var prefixed = await PrefixedStream.PeekAsync(blob, LayerFormat.MagicLength, cancellationToken).ConfigureAwait(false);
            var compression = LayerFormat.Sniff(prefixed.Head);
            if (compression == LayerCompression.Zstd)
            {
                throw ZstdRefused(layer, "zstd magic bytes");
            }

            Stream tar = compression == LayerCompression.Gzip
                ? new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true)
                : prefixed;
            using var hashing = new HashingStream(tar, layer.CreateHash());
            string? current = null;
            string? previous = null;
            try
            {
                var reader = new TarReader(hashing, leaveOpen: true);
                await using (reader.ConfigureAwait(false))
                {
                    long entryEnd = 0;
                    while (await NextEntryAsync(reader, hashing, entryEnd, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        current = entry.Name;
                        if (++_entries > limits.MaxEntries)
                        {
                            throw new LayerException(layer, current, $"the layer has more than {limits.MaxEntries} entries (limit)");
                        }

                        await ApplyAsync(entry, cancellationToken).ConfigureAwait(false);
                        CheckArchiveSize(hashing.BytesRead, current);
                        entryEnd = hashing.BytesRead;

                        // A header that fails to read belongs to no entry yet; say where it was instead.
                        previous = current;
                        current = null;
                    }
                }

                // The diff ID covers the whole stream, end-of-archive blocks and padding included.
                var buffer = new byte[64 * 1024];
                while (await hashing.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
                {
                    CheckArchiveSize(hashing.BytesRead, null);
                }

                FinishDirectories();
            }
            catch (Exception e) when (e is not LayerException and not OperationCanceledException)
            {
                var where = current is null && previous is not null ? $" after entry '{previous}'" : "";
                throw new LayerException(layer, current, Describe(e) + where, e);
            }

            var archiveBytes = hashing.BytesRead;
            var diffId = hashing.Finish(layer.Algorithm);
            if (diffId != layer)
            {
                throw new LayerException(layer, null, $"diff ID mismatch: the uncompressed layer hashes to {diffId}");
            }

            return new LayerUnpackResult(diffId, archiveBytes, _fileBytes, _entries, _privileged, _notes);
        }

        /// <summary>
        /// The next entry, or null at the end of the archive. Some writers (umoci, among layers
        /// seen in registries) stop right after the last entry's data, without its block padding
        /// or the end-of-archive blocks; GNU tar, Go's archive/tar and containerd read those as
        /// complete, and so does this. The stream ending anywhere later (inside a header) is still
        /// truncation; the diff ID, checked after, covers the bytes actually there.
        /// </summary>
        private static async Task<TarEntry?> NextEntryAsync(TarReader reader, HashingStream archive, long entryEnd, CancellationToken cancellationToken)
        {
            try
            {
                return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException) when (archive.BytesRead <= (entryEnd + TarBlock - 1) / TarBlock * TarBlock)
            {
                return null;
            }
        }

        private static string Describe(Exception e) => e switch
        {
            UnsafePathException => e.Message,
            EndOfStreamException => $"the archive is truncated ({e.Message})",
            InvalidDataException or FormatException => $"the archive is corrupt ({e.Message})",
            _ => e.Message,
        };

        private void CheckArchiveSize(long bytes, string? entry)
        {
            if (bytes > limits.MaxArchiveBytes)
            {
                throw new LayerException(layer, entry, $"the uncompressed archive exceeds {limits.MaxArchiveBytes} bytes (limit)");
            }
        }

        private async Task ApplyAsync(TarEntry entry, CancellationToken cancellationToken)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                return;
            }

            var components = LayerPath.Split(entry.Name, out var error) ?? throw new UnsafePathException(error);
            if (components.Length == 0)
            {
                // The layer root's own metadata is the caller's (it is the rootfs or the staging directory).
                return;
            }

            switch (Whiteouts.Classify(components[^1], out var hidden))
            {
                case WhiteoutKind.Opaque when mode == LayerUnpackMode.OverlayLower:
                    RecordOpaque(components);
                    return;
                case WhiteoutKind.Remove when mode == LayerUnpackMode.OverlayLower:
                    RecordWhiteout(components, hidden);
                    return;
                case WhiteoutKind.Opaque:
                    ApplyOpaque(components);
                    return;
                case WhiteoutKind.Remove:
                    ApplyRemove(components, hidden);
                    return;
                case WhiteoutKind.Ignored:
                    return;
            }

            var parent = root.EnsureDirectory(components, components.Length - 1);
            var full = Path.Join(parent, components[^1]);
            var relative = LayerPath.Join(components);
            Touch(components);

            var type = entry.EntryType;
            if (type is TarEntryType.V7RegularFile && entry.Name.EndsWith('/'))
            {
                // Pre-POSIX archives mark directories only by a trailing slash.
                type = TarEntryType.Directory;
            }

            switch (type)
            {
                case TarEntryType.Directory:
                    if (LayerRoot.Inspect(full) != NodeKind.Directory)
                    {
                        LayerRoot.Remove(full);
                        Directory.CreateDirectory(full, PrivateDirectory);
                    }

                    _directories[relative] = new DirectoryMetadata(full, components.Length, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime);
                    SetXattrs(entry, full, relative);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await WriteFileAsync(entry, full, cancellationToken).ConfigureAwait(false);
                    SetMetadata(full, entry);
                    SetXattrs(entry, full, relative);
                    break;
                case TarEntryType.SymbolicLink:
                    if (string.IsNullOrEmpty(entry.LinkName))
                    {
                        throw new UnsafePathException("symlink has no target");
                    }

                    // The target is stored verbatim and never followed here; later entries below it are refused.
                    LayerRoot.Remove(full);
                    File.CreateSymbolicLink(full, entry.LinkName);
                    if (_privileged)
                    {
                        LayerNative.LChown(full, entry.Uid, entry.Gid);
                    }

                    LayerNative.SetTimesNoFollow(full, entry.ModificationTime);
                    SetXattrs(entry, full, relative);
                    break;
                case TarEntryType.HardLink:
                    CreateHardLink(entry, full);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    CreateSpecial(entry, full, relative);
                    break;
                default:
                    throw new UnsafePathException($"unsupported entry type {entry.EntryType}");
            }
        }

        private async Task WriteFileAsync(TarEntry entry, string full, CancellationToken cancellationToken)
        {
            var remaining = limits.MaxBytes - _fileBytes;
            if (entry.Length > remaining)
            {
                throw new UnsafePathException(
                    $"file is {entry.Length} bytes but only {remaining} of the layer's {limits.MaxBytes}-byte limit remain");
            }

            LayerRoot.Remove(full);

            // CreateNew is O_CREAT|O_EXCL: it fails rather than follow anything that appeared at the name.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            var file = new FileStream(full, options);
            await using (file.ConfigureAwait(false))
            {
                long written = 0;
                if (entry.DataStream is { } data)
                {
                    var buffer = new byte[81920];
                    int n;
                    while (written < entry.Length
                        && (n = await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, entry.Length - written)), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        written += n;
                    }
                }

                if (written != entry.Length)
                {
                    throw new EndOfStreamException($"{written} of {entry.Length} bytes present");
                }
            }

            _fileBytes += entry.Length;
        }

        private void CreateHardLink(TarEntry entry, string full)
        {
            var linkName = entry.LinkName;
            var link = LayerPath.Split(linkName, out var error)
                ?? throw new UnsafePathException($"hard link target '{linkName}': {error}");
            if (link.Length == 0)
            {
                throw new UnsafePathException("hard link to the layer root");
            }

            string? linkParent;
            try
            {
                linkParent = root.FindDirectory(link, link.Length - 1);
            }
            catch (UnsafePathException e)
            {
                throw new UnsafePathException($"hard link target '{linkName}': {e.Message}");
            }

            var existing = linkParent is null ? null : Path.Join(linkParent, link[^1]);
            switch (existing is null ? NodeKind.Missing : LayerRoot.Inspect(existing))
            {
                case NodeKind.Missing:
                    throw new UnsafePathException($"hard link target '{linkName}' does not exist in the layer or below it");
                case NodeKind.Directory:
                    throw new UnsafePathException($"hard link target '{linkName}' is a directory");
            }

            if (string.Equals(existing, full, StringComparison.Ordinal))
            {
                return;
            }

            // link(2) does not follow a symlink at the target: at worst this links the symlink itself.
            LayerRoot.Remove(full);
            LayerNative.Link(existing!, full);
        }

        private void CreateSpecial(TarEntry entry, string full, string relative)
        {
            LayerRoot.Remove(full);
            var device = entry.EntryType != TarEntryType.Fifo;
            if (device && !_privileged)
            {
                _notes.Add($"{relative}: {entry.EntryType} not created (creating device nodes needs root)");
                return;
            }

            try
            {
                // TarEntry knows mknod/mkfifo; the parent was checked above and the name is free.
                entry.ExtractToFile(full, overwrite: false);
            }
            catch (Exception e) when (device && e is UnauthorizedAccessException or IOException)
            {
                // Containers often drop CAP_MKNOD even for root; the image still runs without the node in most cases.
                _notes.Add($"{relative}: {entry.EntryType} not created ({e.Message})");
                return;
            }

            SetMetadata(full, entry);
        }

        private void SetMetadata(string full, TarEntry entry)
        {
            // chown first: it clears setuid/setgid, which chmod then restores.
            if (_privileged)
            {
                LayerNative.LChown(full, entry.Uid, entry.Gid);
            }

            File.SetUnixFileMode(full, entry.Mode);
            LayerNative.SetTimesNoFollow(full, entry.ModificationTime);
        }

        private const string XattrPrefix = "SCHILY.xattr.";

        /// <summary>Sets the entry's PAX xattrs; what the filesystem or privilege refuses becomes a note, not a failure.</summary>
        private void SetXattrs(TarEntry entry, string full, string relative)
        {
            if (entry is not PaxTarEntry pax)
            {
                return;
            }

            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var name = key[XattrPrefix.Length..];
                if (value.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    _notes.Add($"{relative}: xattr {name} not set (its value is binary, which the tar reader cannot pass on unaltered)");
                    continue;
                }

                try
                {
                    LayerNative.SetXattr(full, name, System.Text.Encoding.UTF8.GetBytes(value));
                }
                catch (IOException e)
                {
                    _notes.Add($"{relative}: xattr {name} not set ({e.Message})");
                }
            }
        }

        /// <summary>Overlay mode: the opaque directory is created (or kept) and marked, so nothing below it shows through.</summary>
        private void RecordOpaque(string[] components)
        {
            var directory = root.EnsureDirectory(components, components.Length - 1);
            if (components.Length > 1)
            {
                Touch(components[..^1]);
            }

            var name = _privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";
            try
            {
                LayerNative.SetXattr(directory, name, "y"u8);
            }
            catch (IOException e)
            {
                throw new UnsafePathException($"cannot mark the directory opaque for overlayfs ({e.Message})");
            }
        }

        /// <summary>Overlay mode: a 0/0 character device named like the hidden entry, as overlayfs writes whiteouts itself.</summary>
        private void RecordWhiteout(string[] components, string hidden)
        {
            if (hidden is "" or "." or ".." || hidden.Contains('/'))
            {
                throw new UnsafePathException($"whiteout for an invalid name '{hidden}'");
            }

            var directory = root.EnsureDirectory(components, components.Length - 1);
            string[] path = [.. components[..^1], hidden];
            Touch(path);
            var full = Path.Join(directory, hidden);
            LayerRoot.Remove(full);
            try
            {
                LayerNative.MakeWhiteout(full);
            }
            catch (IOException e)
            {
                throw new UnsafePathException($"cannot record the whiteout of '{LayerPath.Join(path)}' for overlayfs ({e.Message})");
            }
        }

        private void ApplyOpaque(string[] components)
        {
            var directory = root.FindDirectory(components, components.Length - 1);
            if (directory is not null)
            {
                HideLower(directory, LayerPath.Join(components[..^1]));
            }
        }

        private void HideLower(string directory, string relative)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(directory).ToList())
            {
                var name = Path.GetFileName(child);
                var childRelative = relative.Length == 0 ? name : $"{relative}/{name}";
                if (!_touched.Contains(childRelative))
                {
                    LayerRoot.Remove(child);
                }
                else if (LayerRoot.Inspect(child) == NodeKind.Directory)
                {
                    HideLower(child, childRelative);
                }
            }
        }

        private void ApplyRemove(string[] components, string hidden)
        {
            if (hidden is "" or "." or "..")
            {
                throw new UnsafePathException($"whiteout for an invalid name '{hidden}'");
            }

            var directory = root.FindDirectory(components, components.Length - 1);
            var relative = LayerPath.Join([.. components[..^1], hidden]);
            if (directory is null || _touched.Contains(relative))
            {
                return;
            }

            LayerRoot.Remove(Path.Join(directory, hidden));
        }

        private void Touch(string[] components)
        {
            for (var i = components.Length; i > 0; i--)
            {
                if (!_touched.Add(LayerPath.Join(components.Take(i))))
                {
                    // Ancestors of an already-touched path are touched too.
                    break;
                }
            }
        }

        private void FinishDirectories()
        {
            foreach (var directory in _directories.Values.OrderByDescending(d => d.Depth))
            {
                // A later entry may have replaced or whited out the directory; never chmod what is there now.
                if (LayerRoot.Inspect(directory.FullPath) != NodeKind.Directory)
                {
                    continue;
                }

                if (_privileged)
                {
                    LayerNative.LChown(directory.FullPath, directory.Uid, directory.Gid);
                }

                File.SetUnixFileMode(directory.FullPath, directory.Mode);
                LayerNative.SetTimesNoFollow(directory.FullPath, directory.ModificationTime);
            }
        }
    }
}
