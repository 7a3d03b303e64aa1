using System.Net;
using System.Net.Sockets;

namespace ZLayer.Proxy.Http;

/// <summary>
/// The one pooled HTTP client of the proxy: a single SocketsHttpHandler shared by every request,
/// keeping keep-alive connections per backend, with no cookies, redirects, decompression, proxy or
/// tracing headers of its own. Connect failures surface as <see cref="BackendConnectException"/>.
/// </summary>
internal static class BackendInvoker
{
    public static HttpMessageInvoker Create(NodeProxyOptions options) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = options.IdleTimeout,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        EnableMultipleHttp2Connections = true,
        ConnectCallback = (context, token) => ConnectAsync(context.DnsEndPoint, options.ConnectTimeout, token),
    }, disposeHandler: true);

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken token)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, deadline.Token);
            return new NetworkStream(socket, ownsSocket: true);
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
