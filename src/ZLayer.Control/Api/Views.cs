using ZLayer.Control.Model;
using ZLayer.Control.Scaling;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Control.Api;

// Shapes the API returns; the CLI reads the same JSON.

public sealed record ServiceView(
    string Name,
    string Rtype,
    string Runtime,
    int Desired,
    int Running,
    int Healthy,
    IReadOnlyList<string> Endpoints,
    IReadOnlyList<string> DependsOn,
    AutoscalingView? Autoscaling = null);

/// <summary>An adaptive service's bounds, targets and the autoscaler's latest decisions (newest last); null targets are unset.</summary>
public sealed record AutoscalingView(
    int Min,
    int Max,
    double CooldownSeconds,
    int? TargetCpu,
    int? TargetMemory,
    long? TargetRps,
    IReadOnlyList<ScalingDecision> Decisions);

public sealed record DeploymentView(
    string Name,
    long Generation,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string DeployedBy,
    string Status,
    IReadOnlyList<ServiceView> Services);

/// <summary>What a deploy changed, service by service.</summary>
public sealed record DeployChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Removed, IReadOnlyList<string> Unchanged);

public sealed record DeployOutcome(bool Accepted, string? Deployment, long Generation, DeployChanges? Changes, IReadOnlyList<Diagnostic> Diagnostics);

public sealed record ReplicaView(ReplicaStatus Status, ReplicaAssignment? Assignment);
