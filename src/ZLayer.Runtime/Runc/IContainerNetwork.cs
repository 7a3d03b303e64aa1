using System.Net;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc;

/// <summary>A container's place on the node's network: the namespace it joins and its address there.</summary>
/// <param name="NamespacePath">The network namespace (a bind mount under /run/netns) for the container to join.</param>
public sealed record NetworkAttachment(string NamespacePath, IPAddress? Address);

/// <summary>
/// Gives containers their network: CNI on the node's bridge (ZLayer.Networking), or an isolated
/// namespace with only loopback. The runtime calls it for <c>network_mode</c> default and none;
/// host needs no namespace and <c>container:</c> joins another container's.
/// </summary>
public interface IContainerNetwork
{
    /// <summary>Makes the container's network namespace and connects it as the service asks (port mappings included).</summary>
    Task<NetworkAttachment> AttachAsync(string containerId, ServiceSpec service, CancellationToken ct);

    /// <summary>Undoes <see cref="AttachAsync"/>: no interface, address, port rule or namespace is left. Idempotent.</summary>
    Task DetachAsync(string containerId, CancellationToken ct);
}
