using System.Runtime.InteropServices;

namespace ZLayer.Runtime.Process;

/// <summary>The few libc calls .NET does not expose: signals to process groups and execute permission checks.</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private const int ESRCH = 3;
    private const int X_OK = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysAccess(string path, int mode);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int SysFsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="processGroup"/>; false if the group is gone.</summary>
    public static bool KillGroup(int processGroup, int signal) => Kill(-processGroup, signal);

    /// <summary>kill(2); false when the target no longer exists, throws on other errors (permission).</summary>
    public static bool Kill(int pid, int signal)
    {
        if (pid == 0 || pid == -1)
        {
            // 0 and -1 mean "my group" and "everyone": never what a replica record should lead to.
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a broadcast pid");
        }
        if (SysKill(pid, signal) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == ESRCH)
        {
            return false;
        }
        throw new RuntimeException($"kill {pid} with signal {signal}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>
    /// fsync(2) on a directory, so a rename into it survives a power loss. .NET cannot open a
    /// directory as a file; O_RDONLY alone (0 on every ABI) opens one. Best effort: a failure only
    /// weakens durability, it does not lose the file.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        var fd = SysOpen(path, 0);
        if (fd < 0)
        {
            return;
        }
        SysFsync(fd);
        SysClose(fd);
    }

    /// <summary>access(2) with X_OK, which applies root's rules (any execute bit) the way exec does.</summary>
    public static bool IsExecutable(string path) => SysAccess(path, X_OK) == 0;
}
