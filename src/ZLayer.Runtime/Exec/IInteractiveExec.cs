namespace ZLayer.Runtime.Exec;

/// <summary>How an interactive command runs: with a terminal of the given size, or with plain pipes.</summary>
public sealed record ExecSessionOptions(bool Tty, ushort Rows = 24, ushort Columns = 80);

/// <summary>
/// A runtime that can run a command in a replica with its input and output streamed both ways
/// while it runs (<c>zlayer exec -it</c>), rather than collected as <see cref="IContainerRuntime.ExecAsync"/> does.
/// </summary>
public interface IInteractiveExec
{
    /// <summary>Starts <paramref name="command"/> in the running replica; the caller owns the session and disposes it.</summary>
    Task<ExecSession> StartExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecSessionOptions options, CancellationToken cancellationToken = default);
}
