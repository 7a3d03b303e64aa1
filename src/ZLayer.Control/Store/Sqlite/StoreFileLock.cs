using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Keeps a second daemon from opening the same store file: an exclusive lock on <c>&lt;path&gt;.lock</c>,
/// held for the store's lifetime. On Linux, <see cref="FileShare.None"/> is an flock(LOCK_EX) that the
/// kernel drops when the process dies, so a crashed daemon never leaves a stale lock behind (.NET opens
/// with O_CLOEXEC, so processes the daemon starts do not inherit the lock and keep it alive). The holder
/// writes who it is into the file so that the refusal can name it. The file is never deleted: removing
/// it while another process waits to lock it would let two processes hold "the" lock on two files.
/// </summary>
internal sealed partial class StoreFileLock : IDisposable
{
    // .NET reports a refused flock as an IOException carrying the errno, EWOULDBLOCK on Linux.
    private const int LinuxEWouldBlock = 11;

    private readonly FileStream _file;

    private StoreFileLock(FileStream file)
    {
        _file = file;
    }

    public static StoreFileLock Acquire(string storePath, TimeProvider time)
    {
        var lockPath = storePath + ".lock";
        FileStream file;
        try
        {
            file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == LinuxEWouldBlock)
        {
            var holder = ReadHolder(lockPath);
            throw new StoreUnavailableException(
                $"the store at {storePath} is already open by another process ({holder}); " +
                $"only one daemon may use a store at a time: stop it first (lock file {lockPath})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"the store at {storePath} cannot be locked: {e.Message}", e);
        }

        try
        {
            // Best effort: the lock itself is what protects the store; the text only helps a human.
            var text = Encoding.UTF8.GetBytes(DescribeSelf(time) + "\n");
            file.SetLength(0);
            file.Write(text);
            file.Flush();
        }
        catch (IOException)
        {
            // A full disk must not prevent opening the store just to report it cannot be written.
        }

        return new StoreFileLock(file);
    }

    public void Dispose() => _file.Dispose();

    private static string DescribeSelf(TimeProvider time)
    {
        using var self = Process.GetCurrentProcess();
        return $"pid {Environment.ProcessId} ({self.ProcessName}) on {Environment.MachineName} since {time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}";
    }

    /// <summary>
    /// Reads the holder's description. Every managed open takes an flock of its own and would be refused
    /// like the lock itself, so the file is opened with open(2) directly.
    /// </summary>
    private static string ReadHolder(string lockPath)
    {
        try
        {
            var fd = NativeOpen(lockPath, 0 /* O_RDONLY */);
            if (fd < 0)
            {
                return "holder unknown";
            }

            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            var buffer = new byte[512];
            var read = RandomAccess.Read(handle, buffer, 0);
            var text = Encoding.UTF8.GetString(buffer, 0, read).Trim();
            return text.Length == 0 ? "holder unknown" : text;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException)
        {
            return "holder unknown";
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeOpen(string path, int flags);
}
