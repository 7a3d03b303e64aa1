using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>Where the node's DNS server listens, whom it forwards to, and its limits.</summary>
public sealed record DnsServerOptions(IPEndPoint Endpoint)
{
    /// <summary>Resolvers for names that are not ours; null reads the host's from /etc/resolv.conf. Empty: such names are REFUSED.</summary>
    public IReadOnlyList<IPEndPoint>? Upstreams { get; init; }

    /// <summary>How long each upstream gets (UDP and a TCP retry together) before the next one is tried.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A TCP connection with no query for this long is closed (RFC 7766 suggests seconds).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Forwarded queries in flight at once; UDP queries beyond it are dropped (the client retries).</summary>
    public int MaxConcurrentForwards { get; init; } = 256;

    /// <summary>Open TCP connections at once; further ones are closed on accept.</summary>
    public int MaxTcpConnections { get; init; } = 128;

    /// <summary>The largest UDP reply, whatever payload a client advertises.</summary>
    public int MaxUdpPayload { get; init; } = DnsResponseWriter.AdvertisedPayload;

    /// <summary>Where to report what a client or upstream did wrong and unexpected failures; the server never throws them.</summary>
    public Action<string>? Log { get; init; }
}
