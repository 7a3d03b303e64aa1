namespace ZLayer.Proxy.Routing;

/// <summary>A listening socket's identity: TCP and UDP may use the same port number independently.</summary>
public readonly record struct ListenerKey(int Port, bool Udp)
{
    public override string ToString() => Udp ? $"udp/{Port}" : $"tcp/{Port}";
}
