using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Hosting;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// Relays UDP datagrams on one port. Each client address gets a session bound to one backend;
/// replies from that backend go back to the client; a session unused for the endpoint's
/// session timeout is closed.
/// </summary>
internal sealed class UdpRelayHost(PortPlan plan, IReadOnlyList<IPAddress> addresses, NodeProxyOptions options, ProxyMetrics metrics) : IListenerHost
{
    private const int MaxDatagram = 65_535;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Socket> listeners = [];
    private readonly ConcurrentDictionary<EndPoint, UdpSession> sessions = new();
    private readonly List<Task> loops = [];
    private volatile PortPlan plan = plan;

    public PortPlan Plan
    {
        get => plan;
        set => plan = value;
    }

    private TimeSpan SessionTimeout => plan.Stream!.SessionTimeout ?? options.UdpSessionTimeout;

    public Task StartAsync(CancellationToken token)
    {
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(new IPEndPoint(address, plan.Key.Port));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                listeners.ForEach(l => l.Dispose());
                throw new InvalidOperationException($"cannot listen on {address} udp port {plan.Key.Port}: {e.Message}", e);
            }

            listeners.Add(socket);
        }

        loops.AddRange(listeners.Select(l => Task.Run(() => ReceiveLoop(l))));
        loops.Add(Task.Run(SweepLoop));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listeners.ForEach(l => l.Dispose());
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        await Task.WhenAll(loops);
        stopping.Dispose();
    }

    private async Task ReceiveLoop(Socket listener)
    {
        var buffer = new byte[MaxDatagram];
        EndPoint any = listener.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await listener.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
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
                await session.Backend.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, stopping.Token);
                metrics.Bytes(plan.Stream!.Input, received.ReceivedBytes, 0);
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
        var route = plan.Stream!;
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
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var read = await session.Backend.ReceiveAsync(buffer, SocketFlags.None, stopping.Token);
                session.Touch();
                await listener.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, session.Client, stopping.Token);
                metrics.Bytes(plan.Stream!.Input, 0, read);
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
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                var now = Environment.TickCount64;
                foreach (var session in sessions.Values.Where(s => s.IdleLongerThan(SessionTimeout, now)))
                {
                    if (sessions.TryRemove(new KeyValuePair<EndPoint, UdpSession>(session.Client, session)))
                    {
                        session.Dispose();
                        metrics.ConnectionClosed(plan.Stream!.Input);
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
