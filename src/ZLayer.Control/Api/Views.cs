using ZLayer.Control.Model;
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
    IReadOnlyList<string> DependsOn);

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
