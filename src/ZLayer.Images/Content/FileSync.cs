using System.Runtime.InteropServices;

namespace ZLayer.Images.Content;

/// <summary>Durability for renames: what .NET does not expose of fsync(2).</summary>
public static partial class FileSync
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int SysFsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);

    /// <summary>
    /// fsync(2) on a directory, so a rename into it survives a power loss. .NET cannot open a
    /// directory as a file; O_RDONLY alone (0 on every ABI) opens one. Best effort: a failure only
    /// weakens durability, it does not lose the file.
    /// </summary>
    public static void Directory(string path)
    {
        var fd = SysOpen(path, 0);
        if (fd < 0)
        {
            return;
        }

        SysFsync(fd);
        SysClose(fd);
    }
}
