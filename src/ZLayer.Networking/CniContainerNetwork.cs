using System.Net;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Host;
using ZLayer.Networking.Namespaces;
using ZLayer.Runtime;
using ZLayer.Runtime.Runc;
using ZLayer.Spec.Model;
using RuntimeAttachment = ZLayer.Runtime.Runc.NetworkAttachment;

namespace ZLayer.Networking;

/// <summary>
/// Containers on the node's CNI bridge: each gets a network namespace of its own, attached with the
/// service's port mappings; <c>network_mode: none</c> gets a namespace with loopback alone. What
/// an attach made is undone in full by <see cref="DetachAsync"/>, from the CNI cache, even after
/// a daemon restart.
/// </summary>
public sealed class CniContainerNetwork(CniNetwork cni, NetworkNamespaces namespaces) : IContainerNetwork
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    public async Task<RuntimeAttachment> AttachAsync(string containerId, ServiceSpec service, CancellationToken ct)
    {
        var ports = PortsOf(service);

        // A namespace left by a crash between its creation and the record of it goes first.
        await DetachAsync(containerId, ct).ConfigureAwait(false);
        var ns = await namespaces.CreateAsync(containerId, ct).ConfigureAwait(false);
        try
        {
            if (service.NetworkMode.Kind == NetworkModeKind.None)
            {
                await HostCommand.RunCheckedAsync("ip", ["netns", "exec", ns.Name, "ip", "link", "set", "lo", "up"], CommandTimeout, ct).ConfigureAwait(false);
                return new RuntimeAttachment(ns.Path, null);
            }

            var attachment = await cni.AttachAsync(containerId, ns.Path, ports, ct).ConfigureAwait(false);
            return new RuntimeAttachment(ns.Path, attachment.Address);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await DetachAsync(containerId, CancellationToken.None).ConfigureAwait(false);
            throw e as RuntimeException ?? new RuntimeException($"replica {containerId}: cannot connect it to the network: {e.Message}", e);
        }
    }

    public async Task DetachAsync(string containerId, CancellationToken ct)
    {
        try
        {
            if (cni.FindAttachment(containerId) is { } attachment)
            {
                await cni.DetachAsync(containerId, attachment.NetnsPath, ct).ConfigureAwait(false);
            }

            await namespaces.DeleteAsync(containerId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CniException or NetworkNamespaceException or HostCommandException)
        {
            throw new RuntimeException($"replica {containerId}: cannot disconnect it from the network: {e.Message}", e);
        }
    }

    private static List<PortMapping> PortsOf(ServiceSpec service) =>
        [.. service.PortMappings.Select(p => new PortMapping(
            p.HostPort is { } host and > 0 ? host : throw new RuntimeException($"service '{service.Name}': port_mappings: container port {p.ContainerPort} needs a host_port with the runc runtime"),
            p.ContainerPort,
            p.Protocol == TransportProtocol.Udp ? PortProtocol.Udp : PortProtocol.Tcp,
            p.HostIp is "0.0.0.0" or "" ? null : IPAddress.Parse(p.HostIp)))];
}
