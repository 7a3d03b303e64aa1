namespace ZLayer.Proxy.Routing;

/// <summary>
/// One place a route can send traffic: a replica (or an external's fixed address). A draining
/// backend keeps its in-flight requests and connections but is never picked for new ones.
/// </summary>
public sealed record BackendAddress(string Host, int Port, string ReplicaId, bool Draining = false)
{
    /// <summary>The scheme and authority the proxy sends HTTP requests to.</summary>
    public string Origin { get; } = $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    public override string ToString() => $"{ReplicaId}@{Host}:{Port}";
}
