using System.Net;
using ZLayer.Control.Store.Etcd;

namespace ZLayer.Cli.Daemon;

/// <summary>What <c>zlayer serve</c> (and the daemon <c>zlayer up</c> starts) was asked to do.</summary>
/// <param name="DataDirectory">The store, replica directories and node identity live here.</param>
/// <param name="SocketPath">The Unix socket of the API, for the local CLI (no token needed there).</param>
/// <param name="TcpEndpoint">The TCP listener of the API; null for none.</param>
/// <param name="Runtime">The runtime for services that do not name one: auto (runc when root with runc and conmon, else docker when an engine answers on its socket, else process), runc, docker or process.</param>
/// <param name="StopOnExit">Stop every replica when the daemon stops; by default they keep running and are re-adopted.</param>
/// <param name="Registries">Insecure registries and mirrors from the serve flags, over DATA/registries.json; none for the daemon `zlayer up` starts.</param>
public sealed record DaemonOptions(
    string DataDirectory,
    string SocketPath,
    IPEndPoint? TcpEndpoint,
    string Runtime,
    bool StopOnExit,
    RegistryFlags? Registries = null)
{
    /// <summary>The container subnet of this node's bridge (host-local IPAM hands out its addresses).</summary>
    public IPNetwork ContainerSubnet { get; init; } = IPNetwork.Parse("10.240.0.0/24");

    /// <summary>The Linux bridge containers attach to.</summary>
    public string Bridge { get; init; } = "zlayer0";

    /// <summary>Run the node proxy that serves the deployments' endpoints (<c>--no-proxy</c> turns it off).</summary>
    public bool Proxy { get; init; } = true;

    /// <summary>Run the node DNS server (<c>--no-dns</c> turns it off).</summary>
    public bool Dns { get; init; } = true;

    /// <summary>
    /// The DNS server's port; null for the default: 53 on the bridge gateway when runc containers
    /// can run here, else <see cref="ProcessDnsPort"/> on 127.0.0.1 (no root needed).
    /// </summary>
    public int? DnsPort { get; init; }

    /// <summary>The etcd cluster holding the state (<c>--store etcd://...</c>); null for the embedded SQLite store in the data directory.</summary>
    public EtcdStoreOptions? Store { get; init; }

    /// <summary>Tokens' rate limit and TLS of the TCP listener (<c>--api-rate-limit</c>, <c>--api-tls*</c>).</summary>
    public ZLayer.Server.Auth.ApiSecuritySettings ApiSecurity { get; init; } = new();

    /// <summary>The DNS port of a node without the container network: unprivileged and clear of mDNS (5353).</summary>
    public const int ProcessDnsPort = 10053;
}
