using System.Text.Json.Nodes;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>A device node to create in the container and the cgroup access it gets.</summary>
public sealed record ContainerDevice(string Path, FileKind Kind, uint Major, uint Minor, uint FileMode, uint Uid, uint Gid, string Access)
{
    public string Type => Kind == FileKind.BlockDevice ? "b" : "c";
}

/// <summary>
/// Device nodes (linux.devices) and the device cgroup (linux.resources.devices). By default
/// everything is denied except creating nodes (mknod, which CAP_MKNOD allows) and using the
/// standard character devices runc creates itself: null, zero, full, random, urandom, tty,
/// console, ptmx and the pts slaves. Each <c>devices</c> entry adds the host node, with the same
/// type and numbers, at the same path, and allows what its read/write/mknod flags say.
/// <c>privileged</c> gets every host device and access to all of them.
/// </summary>
public static class DeviceRules
{
    /// <summary>Under /dev but not devices to copy: runc mounts its own pts, shm and mqueue; console and ptmx are the container's own.</summary>
    private static readonly string[] NotCopied = ["/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd", "/dev/console", "/dev/ptmx"];

    private static readonly (string Type, long? Major, long? Minor)[] StandardCharDevices =
    [
        ("c", 1, 3), ("c", 1, 5), ("c", 1, 7), ("c", 1, 8), ("c", 1, 9),
        ("c", 5, 0), ("c", 5, 1), ("c", 5, 2), ("c", 136, null),
    ];

    public static IReadOnlyList<ContainerDevice> Resolve(string service, IReadOnlyList<DeviceSpec> devices)
    {
        var result = new List<ContainerDevice>();
        foreach (var device in devices)
        {
            var path = ContainerPath.Normalise(service, "devices path", device.Path);
            var access = (device.Read ? "r" : "") + (device.Write ? "w" : "") + (device.Mknod ? "m" : "");
            if (access.Length == 0)
            {
                throw BundleError.For(service, $"device '{device.Path}' allows neither read, write nor mknod");
            }

            var status = FileStatus.Of(path, followSymlink: true)
                ?? throw BundleError.For(service, $"device '{device.Path}' does not exist on this node");
            if (status.Kind is not (FileKind.CharDevice or FileKind.BlockDevice))
            {
                throw BundleError.For(service, $"device '{device.Path}' is not a character or block device on this node ({status.Kind})");
            }

            if (result.Any(d => d.Path == path))
            {
                throw BundleError.For(service, $"device '{path}' is listed twice");
            }

            result.Add(new ContainerDevice(path, status.Kind, status.RdevMajor, status.RdevMinor, status.Mode, status.Uid, status.Gid, access));
        }

        return result;
    }

    /// <summary>Every character and block device under the host's /dev, for a privileged replica.</summary>
    public static IReadOnlyList<ContainerDevice> HostDevices()
    {
        var result = new List<ContainerDevice>();
        var pending = new Stack<string>(["/dev"]);
        while (pending.TryPop(out var directory))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                if (NotCopied.Contains(path) || FileStatus.Of(path, followSymlink: false) is not { } status)
                {
                    continue;
                }

                if (status.Kind == FileKind.Directory)
                {
                    pending.Push(path);
                }
                else if (status.Kind is FileKind.CharDevice or FileKind.BlockDevice)
                {
                    result.Add(new ContainerDevice(path, status.Kind, status.RdevMajor, status.RdevMinor, status.Mode, status.Uid, status.Gid, "rwm"));
                }
            }
        }

        return result;
    }

    public static JsonArray Nodes(IEnumerable<ContainerDevice> devices) =>
        new([.. devices.Select(d => (JsonNode?)new JsonObject
        {
            ["path"] = d.Path,
            ["type"] = d.Type,
            ["major"] = d.Major,
            ["minor"] = d.Minor,
            ["fileMode"] = d.FileMode,
            ["uid"] = d.Uid,
            ["gid"] = d.Gid,
        })]);

    public static JsonArray CgroupRules(bool privileged, IEnumerable<ContainerDevice> devices)
    {
        if (privileged)
        {
            return [Rule(true, null, null, null, "rwm")];
        }

        var rules = new JsonArray
        {
            Rule(false, null, null, null, "rwm"),
            Rule(true, "c", null, null, "m"),
            Rule(true, "b", null, null, "m"),
        };
        foreach (var (type, major, minor) in StandardCharDevices)
        {
            rules.Add(Rule(true, type, major, minor, "rwm"));
        }

        foreach (var device in devices)
        {
            rules.Add(Rule(true, device.Type, device.Major, device.Minor, device.Access));
        }

        return rules;
    }

    /// <summary>A device cgroup rule; a null type, major or minor means "any" (runtime-spec: omitted or -1).</summary>
    private static JsonObject Rule(bool allow, string? type, long? major, long? minor, string access)
    {
        var rule = new JsonObject { ["allow"] = allow };
        if (type is not null)
        {
            rule["type"] = type;
        }

        if (major is not null)
        {
            rule["major"] = major;
        }

        if (minor is not null)
        {
            rule["minor"] = minor;
        }

        rule["access"] = access;
        return rule;
    }
}
