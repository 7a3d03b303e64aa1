namespace ZLayer.Cli.Daemon;

/// <summary>
/// A node as <c>GET /api/v1/nodes</c> lists it (docs/api.md "Nodes"). <paramref name="Runtime"/>
/// is the default runtime, <paramref name="Runtimes"/> every runtime a service may ask for here.
/// </summary>
public sealed record NodeResource(
    string Id,
    string Name,
    IReadOnlyList<string> Addresses,
    string State,
    DateTimeOffset? UpdatedAt,
    string Runtime,
    IReadOnlyList<string> Runtimes,
    NodeCapacity Capacity,
    int Replicas,
    string Version);

/// <summary>What the node offers: logical CPUs and the memory available to the daemon (its cgroup limit when it has one).</summary>
public sealed record NodeCapacity(int Cpus, long MemoryBytes);
