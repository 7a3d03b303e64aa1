using System.Net;
using System.Net.Sockets;

namespace ZLayer.Proxy.Http;

/// <summary>Opens a TCP connection to a backend within the connect timeout; failures are <see cref="BackendConnectException"/>.</summary>
internal static class BackendSocket
{
    public static async ValueTask<Socket> ConnectAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken token)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, deadline.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            socket.Dispose();
            throw new BackendConnectException($"connect to {endpoint.Host}:{endpoint.Port} timed out after {timeout.TotalSeconds:0.#}s", timedOut: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BackendConnectException($"connect to {endpoint.Host}:{endpoint.Port}: {e.Message}", timedOut: false, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
