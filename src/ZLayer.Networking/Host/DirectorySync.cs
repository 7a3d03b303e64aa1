using System.Runtime.InteropServices;

namespace ZLayer.Networking.Host;

/// <summary>fsync(2) of a directory, which .NET does not expose, so that a rename into it survives a power loss.</summary>
internal static partial class DirectorySync
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int SysFsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);

    /// <summary>
    /// Best effort: O_RDONLY (0) opens a directory; a failure weakens durability of the rename
    /// but cannot lose the file that was renamed.
    /// </summary>
    public static void Flush(string directory)
    {
        var fd = SysOpen(directory, 0);
        if (fd < 0)
        {
            return;
        }
        SysFsync(fd);
        SysClose(fd);
    }
}
