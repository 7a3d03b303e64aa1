using System.Runtime.InteropServices;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// A container's root filesystem: the image's cached layers as overlayfs lower directories (read
/// only, shared by every container of the image) and a private upper and work directory, mounted
/// at the rootfs path. Removing the container unmounts it and deletes only its own directories.
/// </summary>
internal static partial class OverlayRootfs
{
    // The kernel copies mount options into one page.
    private const int MaxOptionsLength = 4095;
    private const int MntDetach = 2;
    private const int EINVAL = 22;
    private const int ENOENT = 2;

    /// <param name="lowerTopFirst">Layer directories, the image's top layer first (overlayfs's order).</param>
    public static void Mount(ContainerPaths paths, IReadOnlyList<string> lowerTopFirst)
    {
        if (lowerTopFirst.Count == 0)
        {
            throw new RuntimeException($"container {paths.Id}: the image has no layers");
        }

        foreach (var directory in new[] { paths.Upper, paths.Work, paths.Rootfs })
        {
            Directory.CreateDirectory(directory);
        }

        if (IsMountPoint(paths.Rootfs))
        {
            return;
        }

        var options = $"lowerdir={string.Join(':', lowerTopFirst.Select(Escape))},upperdir={Escape(paths.Upper)},workdir={Escape(paths.Work)}";
        if (options.Length > MaxOptionsLength)
        {
            throw new RuntimeException($"container {paths.Id}: {lowerTopFirst.Count} layers are more than one overlay mount can name ({options.Length} bytes of options, the kernel takes {MaxOptionsLength})");
        }

        if (SysMount("overlay", paths.Rootfs, "overlay", 0, options) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RuntimeException($"container {paths.Id}: cannot mount the overlay rootfs: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>Unmounts the rootfs if mounted (lazily when busy) and removes the container's overlay directories.</summary>
    public static void Remove(ContainerPaths paths)
    {
        if (IsMountPoint(paths.Rootfs) && SysUmount2(paths.Rootfs, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINVAL && errno != ENOENT && SysUmount2(paths.Rootfs, MntDetach) != 0)
            {
                throw new RuntimeException($"container {paths.Id}: cannot unmount {paths.Rootfs}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }

        if (Directory.Exists(paths.Overlay))
        {
            Directory.Delete(paths.Overlay, recursive: true);
        }
    }

    /// <summary>Whether <paramref name="path"/> is a mount point, from the kernel's table of this process's mounts.</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    // Commas and colons separate overlay options and layers; a backslash escapes them.
    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);

    // mountinfo writes space, tab, newline and backslash as octal escapes.
    private static string Unescape(string field) => field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
        .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysMount(string source, string target, string type, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysUmount2(string target, int flags);
}
