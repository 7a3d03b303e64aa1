namespace ZLayer.Control.Agent;

/// <summary>Where a service can be reached from a replica on this node: a host and a port per endpoint.</summary>
public sealed record ServiceAddress(string Host, IReadOnlyDictionary<string, int> Ports, string? FirstEndpoint)
{
    public int? FirstPort => FirstEndpoint is not null && Ports.TryGetValue(FirstEndpoint, out var p) ? p : null;
}
