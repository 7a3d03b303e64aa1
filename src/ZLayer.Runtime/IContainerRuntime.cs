namespace ZLayer.Runtime;

/// <summary>
/// Runs replicas: host processes, runc containers or Docker containers behind one contract, so
/// the node agent never knows which. Every method is idempotent where it can be (stopping a stopped
/// replica succeeds) and throws <see cref="RuntimeException"/> with a message fit for users.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>process, runc or docker.</summary>
    string Name { get; }

    /// <summary>Prepares a replica without starting it (container created, directories and log files ready).</summary>
    Task<ReplicaHandle> CreateAsync(ReplicaLaunchSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Starts a created replica. A program that cannot be started fails here with the OS error.</summary>
    Task StartAsync(ReplicaHandle handle, CancellationToken cancellationToken = default);

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then kills; returns once it has exited.</summary>
    Task StopAsync(ReplicaHandle handle, int signal, TimeSpan grace, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal now (SIGKILL to kill).</summary>
    Task SignalAsync(ReplicaHandle handle, int signal, CancellationToken cancellationToken = default);

    /// <summary>Removes what <see cref="CreateAsync"/> made (kept logs aside). The replica must have exited.</summary>
    Task RemoveAsync(ReplicaHandle handle, CancellationToken cancellationToken = default);

    Task<ReplicaRuntimeState> InspectAsync(ReplicaHandle handle, CancellationToken cancellationToken = default);

    /// <summary>Waits until the replica exits and returns its final state; for re-adopted replicas this polls.</summary>
    Task<ReplicaRuntimeState> WaitAsync(ReplicaHandle handle, CancellationToken cancellationToken = default);

    /// <summary>Every replica this runtime holds on this node (running or exited), found from its own records, for re-adoption after a daemon restart.</summary>
    Task<IReadOnlyList<ReplicaHandle>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The replica's output, oldest first; with <see cref="LogOptions.Follow"/> it goes on until cancelled or the replica is removed.</summary>
    IAsyncEnumerable<LogLine> LogsAsync(ReplicaHandle handle, LogOptions options, CancellationToken cancellationToken = default);

    /// <summary>Runs a command in the replica's environment (inside the container, or with the process's env and workdir).</summary>
    Task<ExecResult> ExecAsync(ReplicaHandle handle, IReadOnlyList<string> command, ExecOptions options, CancellationToken cancellationToken = default);

    /// <summary>CPU and memory use, when the runtime can tell.</summary>
    Task<ResourceUsage?> StatsAsync(ReplicaHandle handle, CancellationToken cancellationToken = default);
}
