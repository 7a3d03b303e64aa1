using System.Runtime.InteropServices;

namespace ZLayer.Runtime.Runc.Bundle;

public enum FileKind
{
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Other,
}

/// <summary>What statx(2) says of a path: its kind, device numbers, mode bits and owner.</summary>
/// <remarks>
/// statx rather than stat: its struct has one layout on every architecture, while struct stat
/// differs between x86_64 and aarch64 and .NET exposes neither device numbers nor owners.
/// </remarks>
public readonly partial record struct FileStatus(FileKind Kind, uint Mode, uint Uid, uint Gid, long Size, uint RdevMajor, uint RdevMinor)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int StatxSize = 256;

    /// <summary>The status of <paramref name="path"/>, following a final symlink unless <paramref name="followSymlink"/> is false; null when it does not exist.</summary>
    public static unsafe FileStatus? Of(string path, bool followSymlink)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, followSymlink ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return null;
            }

            throw new IOException($"statx {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var bytes = new ReadOnlySpan<byte>(buffer, StatxSize);
        var mode = MemoryMarshal.Read<ushort>(bytes[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x2000 => FileKind.CharDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
        return new FileStatus(
            kind,
            (uint)(mode & 0xFFF),
            MemoryMarshal.Read<uint>(bytes[20..]),
            MemoryMarshal.Read<uint>(bytes[24..]),
            (long)MemoryMarshal.Read<ulong>(bytes[40..]),
            MemoryMarshal.Read<uint>(bytes[128..]),
            MemoryMarshal.Read<uint>(bytes[132..]));
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
