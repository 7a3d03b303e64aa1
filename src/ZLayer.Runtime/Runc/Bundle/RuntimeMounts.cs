using System.Globalization;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>How the replica shares IPC: its own namespace, the host's, or its own without /dev/shm (Docker's ipc none).</summary>
public enum IpcSharing
{
    Private,
    Host,
    NoShm,
}

/// <summary>
/// The mounts of config.json: the kernel filesystems every Linux program expects, the /etc files
/// the runtime wrote, then the service's storage. Parents are mounted before children whatever the
/// order given, and a service mount at /etc/hosts, /etc/hostname or /etc/resolv.conf replaces the
/// runtime's file there (as Docker lets a volume do).
/// </summary>
public static class RuntimeMounts
{
    /// <summary>Kernel filesystems mounted here; a service mount may go below /dev or /sys but not replace them.</summary>
    private static readonly string[] KernelMountPoints = ["/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"];

    public static JsonArray Build(BundleRequest request, bool privileged, IpcSharing ipc)
    {
        var service = request.Replica.ServiceName;
        var kernelRo = privileged ? "rw" : "ro";
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
        };
        switch (ipc)
        {
            case IpcSharing.Private:
                mounts.Add(Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
                break;
            case IpcSharing.Host:
                mounts.Add(Mount("/dev/shm", "bind", "/dev/shm", "rbind", "nosuid", "noexec", "nodev"));
                break;
            case IpcSharing.NoShm:
                break;
        }

        mounts.Add(Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        mounts.Add(Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", kernelRo));
        mounts.Add(Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", kernelRo));

        var extra = new List<(string Destination, JsonObject Mount)>();
        foreach (var mount in request.Mounts)
        {
            var destination = ContainerPath.Normalise(service, "storage target", mount.Destination);
            if (destination == "/")
            {
                throw BundleError.For(service, $"storage target '{mount.Destination}' would hide the image's root filesystem");
            }

            // runc refuses mounts into /proc (a way out of the container); say so before it does.
            if (ContainerPath.IsWithin(destination, "/proc") || KernelMountPoints.Contains(destination))
            {
                throw BundleError.For(service, $"storage target '{mount.Destination}' is where the container's kernel filesystems are mounted");
            }

            if (extra.Any(e => e.Destination == destination))
            {
                throw BundleError.For(service, $"two storage entries mount at '{destination}'");
            }

            extra.Add((destination, mount.Kind switch
            {
                BundleMountKind.Bind => Bind(service, mount, destination),
                BundleMountKind.Tmpfs => Tmpfs(mount, destination),
                _ => throw new ArgumentOutOfRangeException(nameof(request), mount.Kind, "unknown mount kind"),
            }));
        }

        foreach (var (file, destination) in new[] { (request.HostsFile, "/etc/hosts"), (request.HostnameFile, "/etc/hostname"), (request.ResolvConfFile, "/etc/resolv.conf") })
        {
            if (file is not null && !extra.Any(e => e.Destination == destination))
            {
                extra.Add((destination, Bind(service, new BundleMount(BundleMountKind.Bind, file, destination, ReadOnly: true), destination)));
            }
        }

        foreach (var (_, mount) in extra.OrderBy(e => e.Destination.Count(c => c == '/')))
        {
            mounts.Add(mount);
        }

        return mounts;
    }

    private static JsonObject Bind(string service, BundleMount mount, string destination)
    {
        if (mount.Source is null || !mount.Source.StartsWith('/'))
        {
            throw BundleError.For(service, $"the host source of the mount at '{destination}' must be an absolute path, not '{mount.Source}'");
        }

        if (FileStatus.Of(mount.Source, followSymlink: true) is null)
        {
            throw BundleError.For(service, $"the host source '{mount.Source}' of the mount at '{destination}' does not exist");
        }

        // rprivate: a mount made later under the source on the host must not appear in the replica.
        return Mount(destination, "bind", mount.Source, "rbind", "rprivate", mount.ReadOnly ? "ro" : "rw");
    }

    private static JsonObject Tmpfs(BundleMount mount, string destination)
    {
        var options = new List<string> { "nosuid", "nodev" };
        if (mount.SizeBytes is { } size)
        {
            options.Add("size=" + size.ToString(CultureInfo.InvariantCulture));
        }

        if (mount.Mode is { } mode)
        {
            options.Add("mode=" + Convert.ToString(mode, 8));
        }

        if (mount.ReadOnly)
        {
            options.Add("ro");
        }

        return Mount(destination, "tmpfs", "tmpfs", [.. options]);
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray([.. options.Select(o => (JsonNode?)JsonValue.Create(o))]),
    };
}
