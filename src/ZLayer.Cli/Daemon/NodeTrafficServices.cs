using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ZLayer.Networking.Dns;
using ZLayer.Networking.Host;
using ZLayer.Proxy;
using ZLayer.Runtime.Runc;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The node proxy and the node DNS server as the daemon starts them. Either may be turned off or
/// fail to bind; that is said once at start and the daemon runs on without it, because replicas
/// and the API matter more than name lookups.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class NodeTrafficServices : IAsyncDisposable
{
    /// <summary>The zone containers search, so `web` alone resolves.</summary>
    public const string SearchDomain = "service.local";

    private NodeTrafficServices(NodeProxy? proxy, DnsServer? dns, NodeResolver? resolver)
    {
        Proxy = proxy;
        Dns = dns;
        Resolver = resolver;
    }

    public NodeProxy? Proxy { get; }

    public DnsServer? Dns { get; }

    /// <summary>What containers' resolv.conf names: set only when DNS answers on the gateway's port 53 (resolv.conf has no port).</summary>
    public NodeResolver? Resolver { get; }

    /// <param name="containerNetwork">Whether runc is the default runtime here: the bridge is then brought up and its gateway is an internal address and the DNS address. A node serving processes by default leaves the host's interfaces alone.</param>
    public static async Task<NodeTrafficServices> StartAsync(DaemonOptions options, bool containerNetwork, DaemonLogger log, CancellationToken ct)
    {
        IPAddress? gateway = null;
        if (containerNetwork && (options.Dns || options.Proxy))
        {
            try
            {
                gateway = await NodeBridge.EnsureAsync(options.Bridge, options.ContainerSubnet, ct);
            }
            catch (HostCommandException e)
            {
                log.Warn($"bridge {options.Bridge} could not be brought up, so DNS and internal endpoints listen on loopback only: {e.Message}");
            }
        }

        var (dns, resolver) = options.Dns ? StartDns(options, gateway, log) : (null, null);
        NodeProxy? proxy = null;
        if (options.Proxy)
        {
            IReadOnlyList<IPAddress> internals = gateway is null ? [IPAddress.Loopback] : [gateway, IPAddress.Loopback];
            proxy = new NodeProxy(new NodeProxyOptions { InternalAddresses = internals });
            log.Info("node proxy on", ("internal", string.Join(",", internals.Select(a => a.ToString()))));
        }
        else
        {
            log.Info("node proxy off (--no-proxy): endpoints are not served on the node");
        }

        return new NodeTrafficServices(proxy, dns, resolver);
    }

    private static (DnsServer?, NodeResolver?) StartDns(DaemonOptions options, IPAddress? gateway, DaemonLogger log)
    {
        var endpoint = new IPEndPoint(gateway ?? IPAddress.Loopback, options.DnsPort ?? (gateway is null ? DaemonOptions.ProcessDnsPort : 53));
        try
        {
            var dns = DnsServer.Start(new DnsServerOptions(endpoint) { Log = message => log.Warn(message, ("component", "dns")) }, ServiceDirectory.Empty);
            var resolver = gateway is not null && dns.Endpoint.Port == 53 ? new NodeResolver([gateway.ToString()], [SearchDomain]) : null;
            log.Info("node DNS listening", ("address", dns.Endpoint.ToString()), ("containers", resolver is null ? "host resolvers" : "node DNS"));
            return (dns, resolver);
        }
        catch (SocketException e)
        {
            log.Warn($"node DNS is not running: it cannot listen on {endpoint} (udp and tcp): {e.Message}; the daemon carries on without it and containers use the host's resolvers (choose another port with --dns-port)");
            return (null, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Dns is not null)
        {
            await Dns.DisposeAsync();
        }
    }
}
