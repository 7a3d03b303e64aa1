using ZLayer.Images.Manifests;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// Everything the OCI runtime configuration of one replica is made from. The runtime has already
/// mounted the rootfs, written the /etc files and prepared the namespaces it wants joined; the
/// builder only translates.
/// </summary>
/// <param name="Replica">The replica as the agent resolved it (argv, substituted environment, service spec).</param>
/// <param name="Image">The config of the image the rootfs was made from.</param>
/// <param name="RootfsPath">Absolute host path of the mounted rootfs; /etc/passwd and /etc/group are read from it.</param>
/// <param name="NetworkNamespacePath">
/// The network namespace to join (CNI-prepared, or another container's for <c>network_mode: container:ID</c>).
/// Null for <c>host</c> (no namespace); for <c>none</c>, a namespace with loopback alone the runtime prepared, or null for a new, empty one; for <c>default</c>/<c>bridge</c>
/// null means a new namespace the runtime wires up itself after <c>runc create</c>.
/// </param>
/// <param name="Mounts">The service's storage, resolved to host sources and tmpfs.</param>
/// <param name="Hostname">The replica's host name (UTS namespace).</param>
/// <param name="HostsFile">Host file bind-mounted read-only at /etc/hosts, or null to keep the image's.</param>
/// <param name="HostnameFile">Host file bind-mounted read-only at /etc/hostname, or null.</param>
/// <param name="ResolvConfFile">Host file bind-mounted read-only at /etc/resolv.conf, or null.</param>
/// <param name="CgroupsPath">The replica's cgroup, e.g. /zlayer/&lt;replica&gt;.</param>
public sealed record BundleRequest(
    ReplicaLaunchSpec Replica,
    ImageConfig Image,
    string RootfsPath,
    string? NetworkNamespacePath,
    IReadOnlyList<BundleMount> Mounts,
    string Hostname,
    string? HostsFile,
    string? HostnameFile,
    string? ResolvConfFile,
    string CgroupsPath)
{
    /// <summary>PID namespace of the container named by <c>pid_mode: container:ID</c>; required then, refused otherwise.</summary>
    public string? PidNamespacePath { get; init; }

    /// <summary>IPC namespace of the container named by <c>ipc_mode: container:ID</c>; required then, refused otherwise.</summary>
    public string? IpcNamespacePath { get; init; }
}
