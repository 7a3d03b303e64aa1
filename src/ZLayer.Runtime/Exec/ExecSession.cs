namespace ZLayer.Runtime.Exec;

/// <summary>
/// A command running in a replica with its streams open to the caller: with a terminal, one
/// output stream (the terminal) whose size the caller sets; without, stdin, stdout and stderr
/// apart. Disposing it ends the command if it still runs.
/// </summary>
public abstract class ExecSession : IAsyncDisposable
{
    /// <summary>The command's standard input (its terminal with a TTY).</summary>
    public abstract Stream Input { get; }

    /// <summary>Standard output, or everything the terminal shows with a TTY; ends when the command ends.</summary>
    public abstract Stream Output { get; }

    /// <summary>Standard error; null with a TTY, where it goes to <see cref="Output"/>.</summary>
    public abstract Stream? Error { get; }

    public abstract bool Tty { get; }

    /// <summary>Tells the command its terminal's new size; nothing without a TTY.</summary>
    public abstract void Resize(ushort rows, ushort columns);

    /// <summary>End of input: the pipe is closed; on a terminal, Ctrl-D is typed (end of input to a reading shell).</summary>
    public abstract Task CloseInputAsync(CancellationToken ct);

    /// <summary>Waits for the command and returns its exit code.</summary>
    public abstract Task<int> WaitAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}
