namespace ZLayer.Runtime.Runc;

/// <summary>
/// The node's DNS server as containers see it: the resolvers their resolv.conf names (instead of
/// the host's) and the search domains put first, so a bare service name resolves.
/// </summary>
public sealed record NodeResolver(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Search);
