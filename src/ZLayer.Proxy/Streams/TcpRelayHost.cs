using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// Relays TCP connections on one port to the backends of its endpoint: picks a backend (trying
/// others when the connect fails), optionally writes a PROXY protocol header, then copies bytes
/// both ways with half-close. A client that cannot be served is reset, not left hanging.
/// </summary>
internal sealed class TcpRelayHost(PortPlan plan, IReadOnlyList<IPAddress> addresses, NodeProxyOptions options, ProxyMetrics metrics)
    : SocketRelayHost(plan, addresses, SocketType.Stream)
{
    private readonly ConcurrentDictionary<Socket, byte> open = new();

    protected override void CloseOpenFlows()
    {
        foreach (var socket in open.Keys)
        {
            socket.Dispose();
        }
    }

    protected override async Task ServeAsync(Socket listener)
    {
        while (!Stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(Stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var route = Plan.Stream!;
        open.TryAdd(client, 0);
        metrics.ConnectionOpened(route.Input);
        Socket? backend = null;
        BackendState? state = null;
        try
        {
            client.NoDelay = true;
            (backend, state) = await ConnectAsync(route.Pool);
            if (backend is null)
            {
                Reset(client);
                return;
            }

            open.TryAdd(backend, 0);
            if (route.ProxyProtocol is { } version)
            {
                await backend.SendAsync(ProxyProtocolHeader.Build(version, (IPEndPoint)client.RemoteEndPoint!, (IPEndPoint)client.LocalEndPoint!), SocketFlags.None, Stopping.Token);
            }

            var up = SocketPump.RunAsync(client, backend, Stopping.Token);
            var down = SocketPump.RunAsync(backend, client, Stopping.Token);
            try
            {
                metrics.Bytes(route.Input, await up, await down);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side broke: reset both so the other end learns at once rather than on its next write.
                Reset(client);
                Reset(backend);
            }
        }
        finally
        {
            state?.Finish();
            metrics.ConnectionClosed(route.Input);
            open.TryRemove(client, out _);
            client.Dispose();
            if (backend is not null)
            {
                open.TryRemove(backend, out _);
                backend.Dispose();
            }
        }
    }

    private async Task<(Socket?, BackendState?)> ConnectAsync(BackendPool pool)
    {
        List<BackendState>? tried = null;
        for (var attempt = 0; attempt < Math.Max(1, options.MaxAttempts); attempt++)
        {
            var backend = pool.Pick(tried);
            if (backend is null)
            {
                return (null, null);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Stopping.Token);
            deadline.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(backend.Address.Host, backend.Address.Port, deadline.Token);
                backend.RecordSuccess();
                backend.Start();
                return (socket, backend);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !Stopping.IsCancellationRequested))
            {
                socket.Dispose();
                backend.RecordConnectFailure(options.PassiveHealth);
                (tried ??= []).Add(backend);
            }
        }

        return (null, null);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}
