using ZLayer.Spec.Model;

namespace ZLayer.Control.Model;

// The records kept in the store. Desired state is written by the API and the scheduler; observed
// state (ReplicaStatus) only by the agent that runs the replica. Everything is JSON in the store.

/// <summary>A deployed spec. <see cref="Spec"/> is the ZLayer v1 text (compose input arrives normalised).</summary>
public sealed record DeploymentRecord(
    string Name,
    string Spec,
    long Generation,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string DeployedBy);

/// <summary>A replica count set by `zlayer scale` or the autoscaler, overriding the spec's initial count.</summary>
/// <param name="Source"><c>manual</c> or <see cref="AutoscalerSource"/>.</param>
public sealed record ScaleOverride(string Deployment, string Service, int Replicas, string Source, DateTimeOffset UpdatedAt)
{
    public const string AutoscalerSource = "autoscaler";

    /// <summary>
    /// Whether this count holds for a service scaled as <paramref name="scale"/>. The autoscaler's
    /// holds only while the service is adaptive: redeployed as fixed or manual, it runs its own count.
    /// </summary>
    public bool AppliesTo(ScaleSpec scale) => Source != AutoscalerSource || scale.Mode == ScaleMode.Adaptive;
}

/// <summary>The scheduler's decision that replica <c>Index</c> of a service runs on <c>Node</c>.</summary>
/// <param name="SpecHash">Hash of the service spec it must run; a change means replace the replica.</param>
/// <param name="RestartNonce">Changed by `zlayer restart` to restart a replica with an unchanged spec.</param>
public sealed record ReplicaAssignment(
    string ReplicaId,
    string Deployment,
    string Service,
    int Index,
    string Node,
    string SpecHash,
    long Generation,
    string? RestartNonce = null);

/// <summary>What the agent observed of a replica.</summary>
public sealed record ReplicaStatus(
    string ReplicaId,
    string Deployment,
    string Service,
    int Index,
    string Node,
    ReplicaState State,
    HealthState Health,
    string SpecHash,
    string? RuntimeId,
    int? Pid,
    string? Address,
    IReadOnlyDictionary<string, int> Ports,
    int Restarts,
    int? ExitCode,
    string? Message,
    DateTimeOffset? StartedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A node of the cluster (one, on a single machine).</summary>
public sealed record NodeRecord(string Id, string Hostname, IReadOnlyList<string> Addresses, string State, DateTimeOffset UpdatedAt);

/// <summary>One recorded change: every replica state transition, deploys, scale changes, job runs.</summary>
public sealed record ClusterEvent(
    long Sequence,
    DateTimeOffset Time,
    string Type,
    string? Deployment,
    string? Service,
    string? Replica,
    string Message);

/// <summary>One run of a job or cron service; <see cref="Number"/> is also its replica index.</summary>
/// <param name="State">pending, running, succeeded, failed or skipped.</param>
/// <param name="Trigger">manual (`zlayer job run`), cron, or api.</param>
public sealed record JobExecution(
    int Number,
    string Deployment,
    string Service,
    string Trigger,
    string State,
    int? ExitCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Message)
{
    public bool IsFinished => State is "succeeded" or "failed" or "skipped";
}
