using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZLayer.Runtime.Exec;

/// <summary>
/// A pseudo-terminal pair: the daemon keeps the master and the slave, and the command opens the
/// slave through the daemon's descriptor (<c>/proc/PID/fd/N</c>). Not by its /dev/pts name: where
/// several devpts instances are mounted (containers, nested sandboxes) the name the master reports
/// can belong to another terminal, so the slave is taken from the master itself (TIOCGPTPEER).
/// The daemon lets go of the slave once the command has exited (<see cref="ReleaseSlave"/>): Linux
/// fails master reads with EIO whenever no one has the slave open, which would otherwise end the
/// output before the command has even opened its terminal.
/// </summary>
internal sealed partial class PseudoTerminal : IDisposable
{
    private const int O_RDWR = 0x2;
    private const int O_NOCTTY = 0x100;
    private const int O_CLOEXEC = 0x80000;
    private const int F_DUPFD_CLOEXEC = 1030;
    private const ulong TIOCSWINSZ = 0x5414;
    private const ulong TIOCGPTPEER = 0x5441;

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int OpenMaster(int flags);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int Unlock(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int OpenPeer(int fd, ulong request, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int SetWindowSize(int fd, ulong request, ref WindowSize size);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Duplicate(int fd, int command, int minimum);

    private readonly SafeFileHandle _master;
    private readonly SafeFileHandle _slave;

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave)
    {
        _master = master;
        _slave = slave;
        SlavePath = $"/proc/{Environment.ProcessId}/fd/{slave.DangerousGetHandle().ToInt32()}";
    }

    /// <summary>A path that opens this terminal's slave, for the command, while the slave is held.</summary>
    public string SlavePath { get; }

    public static PseudoTerminal Open(ushort rows, ushort columns)
    {
        var fd = OpenMaster(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
        {
            throw Failure("posix_openpt");
        }

        var master = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Unlock(fd) != 0)
            {
                throw Failure("unlockpt");
            }

            // O_NOCTTY: a daemon that happens to lead a session must not take the terminal as its own.
            var slave = OpenPeer(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (slave < 0)
            {
                throw Failure("TIOCGPTPEER");
            }

            var terminal = new PseudoTerminal(master, new SafeFileHandle(slave, ownsHandle: true));
            terminal.Resize(rows, columns);
            return terminal;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal size; the kernel tells the terminal's foreground processes (SIGWINCH).</summary>
    public void Resize(ushort rows, ushort columns)
    {
        var size = new WindowSize { Rows = rows, Columns = columns };
        if (SetWindowSize(_master.DangerousGetHandle().ToInt32(), TIOCSWINSZ, ref size) != 0)
        {
            throw Failure("setting the terminal size");
        }
    }

    /// <summary>What the command writes to its terminal; ends when every process holding the terminal has closed it.</summary>
    public Stream OpenOutput() => new TerminalOutputStream(new FileStream(DuplicateMaster(), FileAccess.Read, bufferSize: 0));

    /// <summary>What the command reads from its terminal (keys typed).</summary>
    public Stream OpenInput() => new FileStream(DuplicateMaster(), FileAccess.Write, bufferSize: 0);

    /// <summary>Lets the output end once the command's processes have closed the terminal too.</summary>
    public void ReleaseSlave() => _slave.Dispose();

    public void Dispose()
    {
        _slave.Dispose();
        _master.Dispose();
    }

    // Reads and writes go through separate descriptors so that a blocked read never holds up a write.
    private SafeFileHandle DuplicateMaster()
    {
        var fd = Duplicate(_master.DangerousGetHandle().ToInt32(), F_DUPFD_CLOEXEC, 3);
        return fd < 0 ? throw Failure("dup") : new SafeFileHandle(fd, ownsHandle: true);
    }

    private static RuntimeException Failure(string what) =>
        new($"cannot make a terminal for exec ({what}): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
}
