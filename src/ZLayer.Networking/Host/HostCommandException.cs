namespace ZLayer.Networking.Host;

/// <summary>A host networking tool (<c>ip</c>, <c>iptables</c>) was missing, failed or hung.</summary>
public sealed class HostCommandException(string message, Exception? inner = null) : Exception(message, inner);
