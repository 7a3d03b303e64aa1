using System.Net;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>A node proxy on loopback with a client that talks to it, torn down with the test.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    private ProxyHarness(NodeProxy proxy) => Proxy = proxy;

    public NodeProxy Proxy { get; }

    public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });

    public static ProxyHarness Create(NodeProxyOptions? options = null) => new(new NodeProxy(options ?? Options()));

    public static NodeProxyOptions Options(TimeSpan? headersTimeout = null, PassiveHealthOptions? health = null, IReadOnlyList<IPAddress>? internalAddresses = null) => new()
    {
        PublicAddress = IPAddress.Loopback,
        InternalAddresses = internalAddresses ?? [IPAddress.Loopback],
        ResponseHeadersTimeout = headersTimeout ?? TimeSpan.FromSeconds(30),
        PassiveHealth = health ?? new PassiveHealthOptions(),
    };

    public Task ApplyAsync(params RouteInput[] inputs) => Proxy.ApplyAsync(Routes.Table(inputs));

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
    }
}
