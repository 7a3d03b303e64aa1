using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ZLayer.Control.Model;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Dns;
using ZLayer.Proxy.Routing;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Discovery;

/// <summary>
/// What the proxy and DNS serve, read off desired and observed state: every endpoint of every
/// service (and external) with the replicas able to take traffic. A replica serves while it runs
/// and is healthy (a service without a check is healthy once running); one being stopped stays in
/// the proxy as draining so its in-flight requests finish, and leaves DNS at once.
/// </summary>
public static class DiscoveryInputs
{
    /// <param name="externalServing">Whether an external's backend (deployment, external, "host:port") passes its health check; null: all do.</param>
    public static List<RouteInput> Routes(
        IReadOnlyList<(string Name, DeploymentSpec Spec)> deployments,
        IReadOnlyList<ReplicaStatus> statuses,
        Func<string, string, string, bool>? externalServing = null)
    {
        var byService = statuses.ToLookup(s => (s.Deployment, s.Service));
        var inputs = new List<RouteInput>();
        foreach (var (name, spec) in deployments)
        {
            foreach (var service in spec.Services.Values)
            {
                var replicas = byService[(name, service.Name)].Where(s => Serving(s) || Draining(s)).OrderBy(s => s.Index).ToList();
                foreach (var endpoint in service.Endpoints.Where(e => e.Port != 0))
                {
                    var backends = replicas
                        .Select(s => new BackendAddress(s.Address ?? "127.0.0.1", TargetPort(s, endpoint), s.ReplicaId, Draining(s)))
                        .ToList();
                    inputs.Add(new RouteInput(name, service.Name, endpoint, backends));
                }
            }

            foreach (var (externalName, external) in spec.Externals)
            {
                var backends = external.Backends
                    .Where(b => externalServing?.Invoke(name, externalName, b) ?? true)
                    .Select(b => External(externalName, b))
                    .ToList();
                inputs.AddRange(external.Endpoints.Where(e => e.Port != 0).Select(e => new RouteInput(name, externalName, e, backends)));
            }
        }

        return inputs;
    }

    /// <summary>The endpoints of <paramref name="deployments"/> with no backends: enough to see whether their routes can coexist.</summary>
    public static List<RouteInput> Endpoints(IReadOnlyList<(string Name, DeploymentSpec Spec)> deployments) => Routes(deployments, []);

    [SupportedOSPlatform("linux")]
    public static ServiceDirectory Directory(IReadOnlyList<(string Name, DeploymentSpec Spec)> deployments, IReadOnlyList<ReplicaStatus> statuses)
    {
        var byService = statuses.ToLookup(s => (s.Deployment, s.Service));
        var entries = new List<DnsServiceEntry>();
        foreach (var (name, spec) in deployments)
        {
            foreach (var service in spec.Services.Values)
            {
                var replicas = byService[(name, service.Name)].Where(Serving).OrderBy(s => s.Index)
                    .Select(s => Replica(s))
                    .ToList();
                var ports = service.Endpoints
                    .Select(e => new DnsServicePort(e.Name, e.Protocol == EndpointProtocol.Udp ? PortProtocol.Udp : PortProtocol.Tcp, e.EffectiveTargetPort))
                    .ToList();
                entries.Add(new DnsServiceEntry(name, service.Name, replicas, ports));
            }
        }

        return new ServiceDirectory(entries);
    }

    private static bool Serving(ReplicaStatus status) => status is { State: ReplicaState.Running, Health: HealthState.Healthy };

    private static bool Draining(ReplicaStatus status) => status.State == ReplicaState.Stopping && status.Address is not null;

    /// <summary>The replica's own port for the endpoint: allocated per replica for host processes, the target port in a container.</summary>
    private static int TargetPort(ReplicaStatus status, EndpointSpec endpoint) =>
        status.Ports.TryGetValue(endpoint.Name, out var port) ? port : endpoint.EffectiveTargetPort;

    [SupportedOSPlatform("linux")]
    private static DnsReplica Replica(ReplicaStatus status)
    {
        var address = IPAddress.TryParse(status.Address ?? "127.0.0.1", out var ip) ? ip : IPAddress.Loopback;
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? new DnsReplica(status.Index, null, null, address)
            : new DnsReplica(status.Index, null, address, null);
    }

    /// <summary>An external's "host:port" (validated at deploy), its bracketed IPv6 form included.</summary>
    private static BackendAddress External(string name, string backend)
    {
        var colon = backend.LastIndexOf(':');
        var host = backend[..colon].Trim('[', ']');
        return new BackendAddress(host, int.Parse(backend[(colon + 1)..], CultureInfo.InvariantCulture), $"{name}@{backend}");
    }
}
