using ZLayer.Spec.Model;

namespace ZLayer.Runtime;

/// <summary>
/// Everything a runtime needs to run one replica, resolved by the agent: the final argv, env with
/// every reference substituted, and the ports allocated to its endpoints.
/// </summary>
/// <param name="ReplicaId">&lt;deployment&gt;.&lt;service&gt;.&lt;n&gt;, unique on the node.</param>
/// <param name="Command">The argv to run; empty means the image's own ENTRYPOINT and CMD.</param>
/// <param name="Ports">Endpoint name to the port the replica listens on (process runtime: allocated; containers: target_port).</param>
/// <param name="Service">The service spec, for what the runtime applies itself (resources, storage, user, logs...).</param>
public sealed record ReplicaLaunchSpec(
    string ReplicaId,
    string Deployment,
    string ServiceName,
    int Index,
    IReadOnlyList<string> Command,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, int> Ports,
    ServiceSpec Service)
{
    /// <summary>Kept by the runtime with the replica and returned on its handle (spec hash, ports), for re-adoption.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>How the agent refers to a replica in a runtime: the replica id and the runtime's own id (pid, container id).</summary>
public sealed record ReplicaHandle(string ReplicaId, string RuntimeId, string Runtime)
{
    /// <summary>Labels the runtime keeps with the replica (deployment, service, index, spec hash), for re-adoption.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public enum RuntimeStatus
{
    Created,
    Running,
    Exited,
    Unknown,
}

/// <param name="ExitCode">Null while running, or when the exit happened while nobody could observe it (say so in <paramref name="Message"/>).</param>
/// <param name="Address">The replica's IP address when it has its own (containers); null for host processes.</param>
public sealed record ReplicaRuntimeState(
    RuntimeStatus Status,
    int? ExitCode,
    bool OomKilled,
    int? Pid,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Address,
    string? Message);

public enum LogStream
{
    Stdout,
    Stderr,
}

public sealed record LogLine(DateTimeOffset Timestamp, LogStream Stream, string Text);

public sealed record LogOptions(bool Follow = false, int? Tail = null, DateTimeOffset? Since = null);

public sealed record ExecOptions(TimeSpan Timeout, bool Tty = false, string? Stdin = null);

public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);

public sealed record ResourceUsage(double CpuPercent, long MemoryBytes, long? MemoryLimitBytes);

/// <summary>A runtime operation failed for a reason the user should see (missing program, permission, no such replica).</summary>
public sealed class RuntimeException(string message, Exception? inner = null) : Exception(message, inner);
