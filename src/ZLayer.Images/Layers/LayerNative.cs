using System.Runtime.InteropServices;
using System.Text;

namespace ZLayer.Images.Layers;

/// <summary>
/// The libc calls .NET has no API for: hard links, lchown, setting a symlink's own times,
/// overlay whiteouts and extended attributes.
/// Paths go over as NUL-terminated UTF-8 byte arrays, so the plain DllImport marshaller suffices
/// and no path is ever converted through the process's locale.
/// </summary>
internal static class LayerNative
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;

    /// <summary>link(2): never follows a symlink at <paramref name="existing"/>, so linking to one links the symlink itself.</summary>
    public static void Link(string existing, string created)
    {
        if (SysLink(Encode(existing), Encode(created)) != 0)
        {
            throw LastError("link");
        }
    }

    /// <summary>lchown(2): changes the entry itself, never what a symlink points at.</summary>
    public static void LChown(string path, int uid, int gid)
    {
        if (SysLChown(Encode(path), (uint)uid, (uint)gid) != 0)
        {
            throw LastError("lchown");
        }
    }

    /// <summary>utimensat(2) with AT_SYMLINK_NOFOLLOW: sets access and modification time of the entry itself.</summary>
    public static void SetTimesNoFollow(string path, DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        var nanos = (time.UtcTicks % TimeSpan.TicksPerSecond) * 100;
        long[] times = [seconds, nanos, seconds, nanos];
        if (SysUtimensat(AtFdCwd, Encode(path), times, AtSymlinkNoFollow) != 0)
        {
            throw LastError("utimensat");
        }
    }

    /// <summary>mknod(2) of a 0/0 character device: overlayfs's whiteout.</summary>
    public static void MakeWhiteout(string path)
    {
        const uint CharacterDevice = 0x2000; // S_IFCHR
        if (SysMknod(Encode(path), CharacterDevice, 0) != 0)
        {
            throw LastError("mknod");
        }
    }

    /// <summary>lsetxattr(2): sets an extended attribute on the entry itself, never through a symlink.</summary>
    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        if (SysLSetXattr(Encode(path), Encode(name), value.ToArray(), (nuint)value.Length, 0) != 0)
        {
            throw LastError($"lsetxattr {name}");
        }
    }

    private static byte[] Encode(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static IOException LastError(string call) =>
        new($"{call}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int SysLink(byte[] existing, byte[] created);

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int SysLChown(byte[] path, uint uid, uint gid);

    [DllImport("libc", EntryPoint = "mknod", SetLastError = true)]
    private static extern int SysMknod(byte[] path, uint mode, ulong device);

    [DllImport("libc", EntryPoint = "lsetxattr", SetLastError = true)]
    private static extern int SysLSetXattr(byte[] path, byte[] name, byte[] value, nuint size, int flags);

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static extern int SysUtimensat(int dirFd, byte[] path, long[] times, int flags);
}
