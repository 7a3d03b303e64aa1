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

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken token) =>
        new NetworkStream(await BackendSocket.ConnectAsync(endpoint, timeout, token), ownsSocket: true);
}
