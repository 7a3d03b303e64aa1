namespace ZLayer.Proxy.Routing;

/// <summary>
/// Why two endpoints cannot share a port: the message names the port, both endpoints and their
/// owners, so the deploy path can show it as it is.
/// </summary>
public sealed record RouteConflict(int Port, string Endpoint, string Owner, string OtherEndpoint, string OtherOwner, string Reason)
{
    public string Message => $"port {Port}: endpoint '{Endpoint}' of {Owner} conflicts with endpoint '{OtherEndpoint}' of {OtherOwner} ({Reason})";

    public override string ToString() => Message;
}
