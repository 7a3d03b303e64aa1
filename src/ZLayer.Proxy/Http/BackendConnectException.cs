namespace ZLayer.Proxy.Http;

/// <summary>A backend could not be connected to (refused, unreachable, or the connect timed out): safe to retry elsewhere.</summary>
public sealed class BackendConnectException(string message, bool timedOut, Exception? inner = null) : IOException(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}
