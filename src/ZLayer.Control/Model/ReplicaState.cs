using System.Text.Json.Serialization;

namespace ZLayer.Control.Model;

/// <summary>Where a replica is in its life (ARCHITECTURE.md "Data model").</summary>
public enum ReplicaState
{
    Pending,
    [JsonStringEnumMemberName("waiting-dependencies")]
    WaitingDependencies,
    Pulling,
    Creating,
    Initializing,
    Starting,
    Running,
    Stopping,
    Exited,
    Failed,

    /// <summary>Restarting after exits faster than the backoff allows (Kubernetes' CrashLoopBackOff).</summary>
    [JsonStringEnumMemberName("crash-loop")]
    CrashLoop,
}

public enum HealthState
{
    Unknown,
    Starting,
    Healthy,
    Unhealthy,
}
