namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// Reads a file of an image's rootfs as the container would see it, without ever leaving the
/// rootfs: each path component is looked at with lstat, and symlinks are followed by hand, with
/// absolute targets taken from the rootfs (as inside the container). A relative target that climbs
/// above the root is refused rather than clamped: an image has no business doing that.
/// </summary>
/// <remarks>
/// The rootfs is read before anything runs in it and nothing else writes to it then, so resolving
/// the path and opening the result are not raced by the image's own code.
/// </remarks>
public static class RootfsFile
{
    /// <summary>Symlink hops before giving up, as the kernel's ELOOP limit.</summary>
    private const int MaxSymlinks = 40;

    /// <summary>/etc/passwd and /etc/group of real images are kilobytes; a huge one is a mistake or an attack.</summary>
    public const long MaxBytes = 4 << 20;

    /// <summary>The text of <paramref name="containerPath"/> inside <paramref name="rootfs"/>, or null when it does not exist there.</summary>
    /// <exception cref="IOException">The path escapes the rootfs, loops, is not a regular file, or is too large.</exception>
    public static string? ReadText(string rootfs, string containerPath)
    {
        var hostPath = Resolve(rootfs, containerPath);
        if (hostPath is null)
        {
            return null;
        }

        var status = FileStatus.Of(hostPath, followSymlink: false);
        if (status is null)
        {
            return null;
        }

        if (status.Value.Kind != FileKind.Regular)
        {
            // A FIFO or device would block or read something that is not the image's file.
            throw new IOException($"{containerPath} in the image is not a regular file ({status.Value.Kind})");
        }

        if (status.Value.Size > MaxBytes)
        {
            throw new IOException($"{containerPath} in the image is {status.Value.Size} bytes, more than the {MaxBytes} read");
        }

        return File.ReadAllText(hostPath);
    }

    /// <summary>
    /// The host path that <paramref name="containerPath"/> names inside <paramref name="rootfs"/>, with
    /// every symlink resolved within the rootfs; null when a component does not exist.
    /// </summary>
    public static string? Resolve(string rootfs, string containerPath)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs));
        var pending = new LinkedList<string>(Split(containerPath));
        var resolved = new List<string>();
        var hops = 0;
        while (pending.First is { } node)
        {
            var component = node.Value;
            pending.RemoveFirst();
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new IOException($"{containerPath} in the image leads above the root of the image (through '..')");
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            var candidate = HostPath(root, [.. resolved, component]);
            var status = FileStatus.Of(candidate, followSymlink: false);
            if (status is null)
            {
                return null;
            }

            if (status.Value.Kind == FileKind.Symlink)
            {
                if (++hops > MaxSymlinks)
                {
                    throw new IOException($"{containerPath} in the image: too many levels of symbolic links");
                }

                var target = new FileInfo(candidate).LinkTarget
                    ?? throw new IOException($"{containerPath} in the image: cannot read the symlink {component}");
                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var part in Split(target).Reverse())
                {
                    pending.AddFirst(part);
                }

                continue;
            }

            if (pending.Count > 0 && status.Value.Kind != FileKind.Directory)
            {
                return null;
            }

            resolved.Add(component);
        }

        return HostPath(root, resolved);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string HostPath(string root, IEnumerable<string> components) => root + "/" + string.Join('/', components);
}
