using System.Runtime.Versioning;

namespace ZLayer.Images.Layers;

/// <summary>What is at a path, judged without following a symlink there.</summary>
internal enum NodeKind
{
    Missing,
    Directory,
    Symlink,
    Other,
}

/// <summary>An entry path that may not be written, with the reason.</summary>
internal sealed class UnsafePathException(string message) : Exception(message);

/// <summary>
/// Path operations confined to the directory a layer is unpacked into. Every parent component
/// of a path is checked to be a real directory before anything is created below it, so neither a
/// symlink planted earlier in the same layer nor one left by a lower layer can redirect a write
/// outside the root. Symlinks are refused rather than resolved inside the root: images have no
/// need to write through them, and refusing leaves no resolution logic to get wrong.
/// </summary>
/// <remarks>
/// The checks are path-based (lstat, then act), not fd-relative (openat with O_NOFOLLOW), which
/// .NET does not expose. That is sound as long as nothing else writes into the root while a layer
/// unpacks, which holds for the private staging directory and for a rootfs being assembled.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class LayerRoot(string root)
{
    public string Root { get; } = root;

    public static NodeKind Inspect(string fullPath)
    {
        // FileInfo reads lstat: ReparsePoint marks a symlink (dangling or not), and Directory
        // without it is a real directory. -1 means nothing is there.
        var attributes = new FileInfo(fullPath).Attributes;
        if ((int)attributes == -1)
        {
            return NodeKind.Missing;
        }

        if (attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return NodeKind.Symlink;
        }

        return attributes.HasFlag(FileAttributes.Directory) ? NodeKind.Directory : NodeKind.Other;
    }

    /// <summary>
    /// The full path of the first <paramref name="count"/> components as a real directory,
    /// creating missing ones (0755, like Docker's implicit parents).
    /// </summary>
    public string EnsureDirectory(IReadOnlyList<string> components, int count)
    {
        var path = Root;
        for (var i = 0; i < count; i++)
        {
            path = Path.Join(path, components[i]);
            switch (Inspect(path))
            {
                case NodeKind.Directory:
                    break;
                case NodeKind.Missing:
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                    break;
                case NodeKind.Symlink:
                    throw new UnsafePathException(
                        $"parent '{LayerPath.Join(components.Take(i + 1))}' is a symlink; refusing to write through it");
                default:
                    throw new UnsafePathException($"parent '{LayerPath.Join(components.Take(i + 1))}' is not a directory");
            }
        }

        return path;
    }

    /// <summary>
    /// The full path of the first <paramref name="count"/> components if they all exist as real
    /// directories, null if one is missing (so there is nothing below it to act on).
    /// </summary>
    public string? FindDirectory(IReadOnlyList<string> components, int count)
    {
        var path = Root;
        for (var i = 0; i < count; i++)
        {
            path = Path.Join(path, components[i]);
            switch (Inspect(path))
            {
                case NodeKind.Directory:
                    break;
                case NodeKind.Missing:
                case NodeKind.Other:
                    return null;
                default:
                    throw new UnsafePathException(
                        $"parent '{LayerPath.Join(components.Take(i + 1))}' is a symlink; refusing to act through it");
            }
        }

        return path;
    }

    /// <summary>Removes whatever is at <paramref name="fullPath"/>; a symlink is removed itself, never followed.</summary>
    public static void Remove(string fullPath)
    {
        switch (Inspect(fullPath))
        {
            case NodeKind.Missing:
                return;
            case NodeKind.Directory:
                RemoveChildren(fullPath);
                Directory.Delete(fullPath);
                return;
            default:
                File.Delete(fullPath);
                return;
        }
    }

    /// <summary>Empties a real directory, descending only into real directories.</summary>
    public static void RemoveChildren(string directory)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(directory).ToList())
        {
            Remove(child);
        }
    }
}
