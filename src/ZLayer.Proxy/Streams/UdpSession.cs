using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Balancing;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// One client's UDP conversation: a socket connected to the backend picked for it, so replies
/// come back to the same client, and the time it was last used.
/// </summary>
internal sealed class UdpSession(EndPoint client, Socket backendSocket, BackendState backend) : IDisposable
{
    private long lastUsed = Environment.TickCount64;

    public EndPoint Client { get; } = client;

    public Socket Backend { get; } = backendSocket;

    public BackendState State { get; } = backend;

    public void Touch() => Volatile.Write(ref lastUsed, Environment.TickCount64);

    public bool IdleLongerThan(TimeSpan timeout, long now) => now - Volatile.Read(ref lastUsed) > timeout.TotalMilliseconds;

    public void Dispose()
    {
        State.Finish();
        Backend.Dispose();
    }
}
