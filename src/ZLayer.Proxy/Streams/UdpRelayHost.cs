using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// Relays UDP datagrams on one port. Each client address gets a session bound to one backend;
/// replies from that backend go back to the client; a session unused for the endpoint's
/// session timeout is closed.
/// </summary>
internal sealed class UdpRelayHost(PortPlan plan, IReadOnlyList<IPAddress> addresses, NodeProxyOptions options, ProxyMetrics metrics)
    : SocketRelayHost(plan, addresses, SocketType.Dgram)
{
    private const int MaxDatagram = 65_535;
    private readonly ConcurrentDictionary<EndPoint, UdpSession> sessions = new();

    private TimeSpan SessionTimeout => Plan.Stream!.SessionTimeout ?? options.UdpSessionTimeout;

    public override async Task StartAsync(CancellationToken token)
    {
        await base.StartAsync(token);
        Loops.Add(Task.Run(SweepLoop));
    }

    protected override void CloseOpenFlows()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }
    }

    protected override async Task ServeAsync(Socket listener)
    {
        var buffer = new byte[MaxDatagram];
        EndPoint any = listener.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!Stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await listener.ReceiveFromAsync(buffer, SocketFlags.None, any, Stopping.Token);
            }
            catch (SocketException)
            {
                // An ICMP error from an earlier send surfaces here on Linux; the socket is still fine.
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            var session = sessions.TryGetValue(received.RemoteEndPoint, out var known) ? known : Open(listener, received.RemoteEndPoint);
            if (session is null)
            {
                continue;
            }

            session.Touch();
            try
            {
                await session.Backend.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, Stopping.Token);
                metrics.Bytes(Plan.Stream!.Input, received.ReceivedBytes, 0);
            }
            catch (SocketException)
            {
                // The backend is gone (ICMP unreachable); the datagram is lost as UDP allows.
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private UdpSession? Open(Socket listener, EndPoint client)
    {
        var route = Plan.Stream!;
        var backend = route.Pool.Pick();
        if (backend is null)
        {
            return null;
        }

        var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(backend.Address.Host, backend.Address.Port);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        backend.Start();
        var session = new UdpSession(client, socket, backend);
        sessions[client] = session;
        metrics.ConnectionOpened(route.Input);
        _ = Task.Run(() => ReplyLoop(listener, session));
        return session;
    }

    private async Task ReplyLoop(Socket listener, UdpSession session)
    {
        var buffer = new byte[MaxDatagram];
        while (!Stopping.IsCancellationRequested)
        {
            try
            {
                var read = await session.Backend.ReceiveAsync(buffer, SocketFlags.None, Stopping.Token);
                session.Touch();
                await listener.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, session.Client, Stopping.Token);
                metrics.Bytes(Plan.Stream!.Input, 0, read);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // ICMP port unreachable from the backend; keep the session until it idles out.
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private async Task SweepLoop()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(SessionTimeout.TotalMilliseconds / 4, 50, 5_000)));
        try
        {
            while (await timer.WaitForNextTickAsync(Stopping.Token))
            {
                var now = Environment.TickCount64;
                foreach (var session in sessions.Values.Where(s => s.IdleLongerThan(SessionTimeout, now)))
                {
                    if (sessions.TryRemove(new KeyValuePair<EndPoint, UdpSession>(session.Client, session)))
                    {
                        session.Dispose();
                        metrics.ConnectionClosed(Plan.Stream!.Input);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
