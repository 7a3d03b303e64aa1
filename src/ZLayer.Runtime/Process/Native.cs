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

    /// <summary>access(2) with X_OK, which applies root's rules (any execute bit) the way exec does.</summary>
    public static bool IsExecutable(string path) => SysAccess(path, X_OK) == 0;
}
