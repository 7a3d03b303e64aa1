using System.Net;
using ZLayer.Proxy.Balancing;
using ZLayer.Proxy.Tls;

namespace ZLayer.Proxy;

/// <summary>How the node proxy binds, times out, retries and terminates TLS.</summary>
public sealed class NodeProxyOptions
{
    /// <summary>The node's internal addresses: where <c>internal</c> endpoints listen and are allowed.</summary>
    public IReadOnlyList<IPAddress> InternalAddresses { get; init; } = [IPAddress.Loopback];

    /// <summary>Where <c>public</c> endpoints listen; all addresses unless set (tests use loopback).</summary>
    public IPAddress PublicAddress { get; init; } = IPAddress.IPv6Any;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a backend may take to send response headers before the client gets 504.</summary>
    public TimeSpan ResponseHeadersTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a body (either way) or an idle connection may stay silent.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Backends tried for one idempotent request whose connect fails.</summary>
    public int MaxAttempts { get; init; } = 3;

    public PassiveHealthOptions PassiveHealth { get; init; } = new();

    /// <summary>Request line plus headers; larger requests get 431 (Kestrel) before anything is forwarded.</summary>
    public int MaxRequestHeadersSize { get; init; } = 32 * 1024;

    public IReadOnlyList<CertificateFile> Certificates { get; init; } = [];

    /// <summary>Further certificate sources asked after the files (an ACME client, the secret store).</summary>
    public IReadOnlyList<ICertificateSource> CertificateSources { get; init; } = [];

    /// <summary>Plain ports that answer every request with a redirect to the given HTTPS port.</summary>
    public IReadOnlyDictionary<int, int> HttpsRedirects { get; init; } = new Dictionary<int, int>();

    public TimeSpan UdpSessionTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
