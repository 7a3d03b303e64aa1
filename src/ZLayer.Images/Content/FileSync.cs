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

    /// <summary>
    /// Replaces a file all at once: the content goes to a hidden temporary file beside it, is
    /// fsynced, renamed over the target, and the rename made durable. A crash leaves the old file
    /// or the new one, never half of one; a failure removes the temporary file.
    /// </summary>
    /// <param name="mode">Permissions of the new file (e.g. owner-only for secrets); the process's default when null.</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } permissions && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = permissions;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        Directory(directory);
    }
}
