using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// Translates one replica into the config.json of an OCI runtime bundle (runtime-spec 1.0.2, as
/// runc 1.1 takes it). Pure apart from reading the rootfs's /etc/passwd and /etc/group, checking
/// that mount sources exist and stat'ing device nodes on the host. Every refusal is a
/// <see cref="RuntimeException"/> naming the service and the field.
/// </summary>
public static class RuntimeConfigBuilder
{
    public const string OciVersion = "1.0.2";

    public const string AnnotationDeployment = "zlayer.deployment";
    public const string AnnotationService = "zlayer.service";
    public const string AnnotationReplica = "zlayer.replica";
    public const string AnnotationIndex = "zlayer.index";

    /// <summary>/proc and /sys entries that expose the node (kernel memory, keys, timers, firmware, power) and read as empty.</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    /// <summary>/proc entries that would change the node if written.</summary>
    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    public static JsonObject Build(BundleRequest request) => Build(request, RuntimeInformation.ProcessArchitecture);

    /// <param name="architecture">The node's architecture, which picks the seccomp profile's architectures.</param>
    public static JsonObject Build(BundleRequest request, Architecture architecture)
    {
        var replica = request.Replica;
        var service = replica.Service;
        var name = replica.ServiceName;
        if (!Path.IsPathRooted(request.RootfsPath) || !Directory.Exists(request.RootfsPath))
        {
            throw BundleError.For(name, $"rootfs '{request.RootfsPath}' is not an existing absolute directory");
        }

        if (service.InitContainer is true)
        {
            throw BundleError.For(name, "init_container is not supported by the runc runtime: there is no init binary to inject; drop it or use runtime: docker");
        }

        var privileged = service.Privileged is true;
        var security = SecurityOptions.Parse(name, service.SecurityOpt);
        var namespaces = Namespaces.Build(request);
        var hostname = Hostname(name, request.Hostname);
        var user = ProcessUser.Resolve(name, service.User, service.ExtraGroups, request.Image, request.RootfsPath);
        var capabilities = CapabilitySet.Resolve(name, privileged, service.Capabilities, service.CapDrop, NodeLimits.BoundingCapabilities());
        var devices = DeviceRules.Resolve(name, service.Devices);
        var sysctls = Sysctls.Resolve(name, service.Sysctls, namespaces.HostNetwork, namespaces.Ipc == IpcSharing.Host);

        var process = new JsonObject
        {
            ["terminal"] = service.Tty is true,
            ["user"] = new JsonObject
            {
                ["uid"] = user.Uid,
                ["gid"] = user.Gid,
                ["additionalGids"] = Array(user.AdditionalGids.Select(g => JsonValue.Create(g))),
            },
            ["args"] = Strings(ProcessArgs.Resolve(replica, request.Image)),
            ["env"] = Strings(ProcessEnvironment.Build(replica, request.Image.Env, hostname, user.Home)),
            ["cwd"] = WorkingDirectory(name, replica.WorkingDirectory, request.Image.WorkingDir),
            ["capabilities"] = new JsonObject
            {
                ["bounding"] = Strings(capabilities),
                ["effective"] = Strings(capabilities),
                ["permitted"] = Strings(capabilities),
                ["inheritable"] = new JsonArray(),
                ["ambient"] = new JsonArray(),
            },
            ["rlimits"] = Array(ProcessRlimits.Resolve(name, service.Ulimits, NodeLimits.DefaultNofile()).Select(r => new JsonObject
            {
                ["type"] = r.Type,
                ["hard"] = r.Hard,
                ["soft"] = r.Soft,
            })),
            ["noNewPrivileges"] = security.NoNewPrivileges ?? !privileged,
        };
        if (CgroupResources.OomScoreAdj(name, service.Resources) is { } oomScoreAdj)
        {
            process["oomScoreAdj"] = oomScoreAdj;
        }

        var resources = CgroupResources.Build(name, service.Resources);
        resources["devices"] = DeviceRules.CgroupRules(privileged, devices);

        var linux = new JsonObject
        {
            ["namespaces"] = namespaces.Json,
            ["devices"] = DeviceRules.Nodes(privileged ? MergeDevices(DeviceRules.HostDevices(), devices) : devices),
            ["resources"] = resources,
            ["cgroupsPath"] = CgroupsPath(name, request.CgroupsPath),
        };
        if (sysctls.Count > 0)
        {
            linux["sysctl"] = new JsonObject(sysctls.Select(s => new KeyValuePair<string, JsonNode?>(s.Key, s.Value)));
        }

        if (!privileged && security.Seccomp)
        {
            linux["seccomp"] = SeccompProfile.Build(capabilities, architecture);
        }

        if (!privileged && security.SystemPaths)
        {
            linux["maskedPaths"] = Strings(MaskedPaths);
            linux["readonlyPaths"] = Strings(ReadonlyPaths);
        }

        return new JsonObject
        {
            ["ociVersion"] = OciVersion,
            ["process"] = process,
            ["root"] = new JsonObject { ["path"] = request.RootfsPath, ["readonly"] = service.ReadOnlyRootFs is true },
            ["hostname"] = hostname,
            ["mounts"] = RuntimeMounts.Build(request, privileged, namespaces.Ipc),
            ["annotations"] = Annotations(replica),
            ["linux"] = linux,
        };
    }

    /// <summary>cwd: command.workdir (must be absolute), else the image's WORKDIR (taken from / if relative, as the image builder meant it), else /.</summary>
    private static string WorkingDirectory(string service, string? workdir, string? imageWorkdir)
    {
        if (!string.IsNullOrEmpty(workdir))
        {
            return ContainerPath.Normalise(service, "command.workdir", workdir);
        }

        if (!string.IsNullOrEmpty(imageWorkdir))
        {
            return ContainerPath.Normalise(service, "the image's WORKDIR", imageWorkdir.StartsWith('/') ? imageWorkdir : "/" + imageWorkdir);
        }

        return "/";
    }

    /// <summary>A host name the kernel takes (at most 64 bytes) and resolvers accept: letters, digits, '-', '_' and '.'.</summary>
    private static string Hostname(string service, string hostname)
    {
        if (hostname.Length is 0 or > 64 || !hostname.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw BundleError.For(service, $"hostname '{hostname}' must be 1 to 64 letters, digits, '-', '_' or '.'");
        }

        return hostname;
    }

    private static string CgroupsPath(string service, string path)
    {
        // runc also takes systemd's slice:prefix:name form; anything else must be an absolute path.
        if (path.Length == 0 || path.Contains('\0') || (!path.StartsWith('/') && path.Count(c => c == ':') != 2)
            || path.Split('/').Any(p => p is ".."))
        {
            throw BundleError.For(service, $"cgroups path '{path}' must be absolute (or slice:prefix:name) without '..'");
        }

        return path;
    }

    private static JsonObject Annotations(ReplicaLaunchSpec replica)
    {
        var annotations = new JsonObject();
        foreach (var (key, value) in replica.Labels)
        {
            annotations[key] = value;
        }

        annotations[AnnotationDeployment] = replica.Deployment;
        annotations[AnnotationService] = replica.ServiceName;
        annotations[AnnotationReplica] = replica.ReplicaId;
        annotations[AnnotationIndex] = replica.Index.ToString(CultureInfo.InvariantCulture);
        return annotations;
    }

    /// <summary>A privileged replica's host devices, with the service's own entries replacing a host node at the same path.</summary>
    private static IEnumerable<ContainerDevice> MergeDevices(IReadOnlyList<ContainerDevice> host, IReadOnlyList<ContainerDevice> listed) =>
        host.Where(h => !listed.Any(l => l.Path == h.Path)).Concat(listed);

    private static JsonArray Strings(IEnumerable<string> values) => Array(values.Select(v => JsonValue.Create(v)));

    private static JsonArray Array(IEnumerable<JsonNode?> nodes) => new([.. nodes]);
}
