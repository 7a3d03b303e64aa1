using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// The Docker-parity knobs that carry over one to one: labels, capabilities, privileges, user and
/// groups, sysctls, ulimits, security options, namespaces, stop behaviour, devices, platform and
/// isolation.
/// </summary>
internal sealed class ContainerOptionsMapper(ComposeMappingContext context)
{
    private ComposeReporter Reporter => context.Reporter;

    private ComposeScalars Scalars => context.Scalars;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take("labels", out var labelsKey, out var labelsNode))
        {
            foreach (var label in Scalars.NamedValues(labelsNode, fields.PathOf("labels")))
            {
                service.Labels[label.Name] = label.Value ?? "";
            }

            ServiceFields.Mark(service, "labels", labelsKey);
        }

        TextList(fields, service, "cap_add", "capabilities", service.Capabilities);
        TextList(fields, service, "cap_drop", "cap_drop", service.CapDrop);
        TextList(fields, service, "group_add", "extra_groups", service.ExtraGroups);
        TextList(fields, service, "security_opt", "security_opt", service.SecurityOpt);

        Bool(fields, service, "privileged", "privileged", v => service.Privileged = v);
        Bool(fields, service, "read_only", "read_only_root_fs", v => service.ReadOnlyRootFs = v);
        Bool(fields, service, "init", "init_container", v => service.InitContainer = v);
        Bool(fields, service, "tty", "tty", v => service.Tty = v);
        Bool(fields, service, "stdin_open", "stdin_open", v => service.StdinOpen = v);

        Text(fields, service, "user", "user", v => service.User = v);
        Text(fields, service, "pid", "pid_mode", v => service.PidMode = v);
        Text(fields, service, "ipc", "ipc_mode", v => service.IpcMode = v);
        Text(fields, service, "userns_mode", "userns_mode", v => service.UsernsMode = v);
        Text(fields, service, "cgroup_parent", "cgroup_parent", v => service.CgroupParent = v);
        Text(fields, service, "stop_signal", "stop_signal", v => service.StopSignal = v);

        if (fields.Take("stop_grace_period", out var graceKey, out var graceNode) && Scalars.Duration(graceNode, fields.PathOf("stop_grace_period"), out var grace))
        {
            service.StopGracePeriod = grace;
            ServiceFields.Mark(service, "stop_grace_period", graceKey);
        }

        if (fields.Take("sysctls", out var sysctlsKey, out var sysctlsNode))
        {
            foreach (var sysctl in Scalars.NamedValues(sysctlsNode, fields.PathOf("sysctls")))
            {
                service.Sysctls[sysctl.Name] = sysctl.Value ?? "";
            }

            ServiceFields.Mark(service, "sysctls", sysctlsKey);
        }

        if (fields.Take("ulimits", out var ulimitsKey, out var ulimitsNode))
        {
            MapUlimits(ulimitsNode, fields.PathOf("ulimits"), service);
            ServiceFields.Mark(service, "ulimits", ulimitsKey);
        }

        if (fields.Take("devices", out var devicesKey, out var devicesNode))
        {
            MapDevices(devicesNode, fields.PathOf("devices"), service);
            ServiceFields.Mark(service, "devices", devicesKey);
        }

        if (fields.Take("platform", out var platformKey, out var platformNode) && Scalars.Text(platformNode, fields.PathOf("platform"), out var platform))
        {
            MapPlatform(platform, platformKey, platformNode, fields.PathOf("platform"), service);
        }

        if (fields.Take("isolation", out var isolationKey, out var isolationNode) && Scalars.Text(isolationNode, fields.PathOf("isolation"), out var isolation))
        {
            Isolation? value = isolation switch
            {
                "default" => Model.Isolation.Auto,
                "process" => Model.Isolation.Process,
                "hyperv" => Model.Isolation.Hyperv,
                _ => null,
            };
            if (value is null)
            {
                Reporter.Error(ComposeCodes.Value, $"'{fields.PathOf("isolation")}': unknown isolation '{isolation}', expected default, process or hyperv", isolationNode, fields.PathOf("isolation"));
            }
            else
            {
                service.Isolation = value;
                ServiceFields.Mark(service, "isolation", isolationKey);
            }
        }
    }

    private void TextList(ServiceFields fields, ServiceSpec service, string composeKey, string modelKey, List<string> into)
    {
        if (!fields.Take(composeKey, out var key, out var node))
        {
            return;
        }

        foreach (var (text, _) in Scalars.TextList(node, fields.PathOf(composeKey)))
        {
            if (!into.Contains(text))
            {
                into.Add(text);
            }
        }

        ServiceFields.Mark(service, modelKey, key);
    }

    private void Bool(ServiceFields fields, ServiceSpec service, string composeKey, string modelKey, Action<bool> set)
    {
        if (fields.Take(composeKey, out var key, out var node) && Scalars.Bool(node, fields.PathOf(composeKey), out var value))
        {
            set(value);
            ServiceFields.Mark(service, modelKey, key);
        }
    }

    private void Text(ServiceFields fields, ServiceSpec service, string composeKey, string modelKey, Action<string> set)
    {
        if (fields.Take(composeKey, out var key, out var node) && Scalars.Text(node, fields.PathOf(composeKey), out var value))
        {
            set(value);
            ServiceFields.Mark(service, modelKey, key);
        }
    }

    /// <summary>Each ulimit is a number (soft = hard) or <c>{soft, hard}</c>.</summary>
    private void MapUlimits(YNode node, string path, ServiceSpec service)
    {
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YMapping map)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map of name: limit or name: {{soft, hard}}, found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        foreach (var (name, value) in map.Entries)
        {
            var itemPath = $"{path}.{name.Value}";
            var ulimit = new UlimitSpec { Location = value.Location, SpecPath = itemPath };
            if (value is YMapping limits)
            {
                foreach (var (key, limit) in limits.Entries)
                {
                    if (key.Value is not ("soft" or "hard"))
                    {
                        Reporter.Unsupported($"ulimits.{name.Value}.{key.Value}", key, $"{itemPath}.{key.Value}");
                    }
                    else if (Scalars.Integer(limit, $"{itemPath}.{key.Value}", -1, long.MaxValue, out var n))
                    {
                        if (key.Value == "soft")
                        {
                            ulimit.Soft = n;
                        }
                        else
                        {
                            ulimit.Hard = n;
                        }

                        ServiceFields.Mark(ulimit, key.Value, key);
                    }
                }

                ulimit.Soft ??= ulimit.Hard;
                ulimit.Hard ??= ulimit.Soft;
            }
            else if (Scalars.Integer(value, itemPath, -1, long.MaxValue, out var single))
            {
                ulimit.Soft = single;
                ulimit.Hard = single;
            }
            else
            {
                continue;
            }

            service.Ulimits[name.Value] = ulimit;
        }
    }

    /// <summary>
    /// <c>HOST[:CONTAINER[:PERMISSIONS]]</c> with permissions from <c>rwm</c> (Docker's default is all
    /// three), or <c>{source, target, permissions}</c>. ZLayer mounts a device at its host path.
    /// </summary>
    private void MapDevices(YNode node, string path, ServiceSpec service)
    {
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YSequence seq)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list of devices, found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}[{i}]";
            string? host;
            string? container;
            string? permissions;
            if (item is YMapping m)
            {
                host = YTree.TextOf(m.Get("source"));
                container = YTree.TextOf(m.Get("target"));
                permissions = YTree.TextOf(m.Get("permissions"));
            }
            else if (Scalars.Text(item, itemPath, out var text))
            {
                var parts = text.Split(':');
                host = parts[0];
                container = parts.Length > 1 ? parts[1] : null;
                permissions = parts.Length > 2 ? parts[2] : null;
                if (parts.Length > 3)
                {
                    host = null;
                }
            }
            else
            {
                continue;
            }

            if (host is null || !host.StartsWith('/'))
            {
                Reporter.Unsupported("devices", item, itemPath, $"only host device paths such as /dev/ttyUSB0[:/dev/ttyUSB0[:rwm]] are supported, not {ComposeScalars.Found(item)}");
                continue;
            }

            if (permissions is not null && (permissions.Length == 0 || permissions.Any(c => c is not ('r' or 'w' or 'm'))))
            {
                Reporter.Error(ComposeCodes.Value, $"'{itemPath}': device permissions '{permissions}' may only hold r, w and m", item, itemPath);
                continue;
            }

            if (container is not null && container != host)
            {
                Reporter.Approximated($"device '{host}' is mounted at its host path; mapping it to '{container}' inside the container is not supported", item, itemPath);
            }

            var device = new DeviceSpec
            {
                Path = host,
                Read = permissions?.Contains('r') ?? true,
                Write = permissions?.Contains('w') ?? true,
                Mknod = permissions?.Contains('m') ?? true,
                Location = item.Location,
                SpecPath = itemPath,
            };
            device.KeyLocations["path"] = item.Location;
            service.Devices.Add(device);
        }
    }

    /// <summary><c>os/arch[/variant]</c>, e.g. <c>linux/amd64</c> or <c>linux/arm64/v8</c>.</summary>
    private void MapPlatform(string platform, YScalar key, YNode node, string path, ServiceSpec service)
    {
        var parts = platform.ToLowerInvariant().Split('/');
        PlatformOs? os = parts[0] switch
        {
            "linux" => PlatformOs.Linux,
            "windows" => PlatformOs.Windows,
            "darwin" or "macos" => PlatformOs.Macos,
            _ => null,
        };
        PlatformArch? arch = parts.Length < 2 ? null : parts[1] switch
        {
            "amd64" or "x86_64" => PlatformArch.Amd64,
            "arm64" or "aarch64" => PlatformArch.Arm64,
            _ => null,
        };
        if (os is null || (parts.Length >= 2 && arch is null) || parts.Length > 3)
        {
            Reporter.Unsupported($"platform: {platform}", node, path, "ZLayer places on linux, windows or macos nodes with amd64 or arm64");
            return;
        }

        service.Platform = new PlatformSpec { Os = os, Arch = arch, Location = node.Location, SpecPath = path };
        ServiceFields.Mark(service, "platform", key);
    }
}
