using System.Text.RegularExpressions;
using ZLayer.Spec.Model;
using ZLayer.Spec.Substitution;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Validation;

/// <summary>Rules that look at one service at a time.</summary>
internal static partial class ServiceRules
{
    public static void Validate(ValidationContext ctx, ServiceSpec service)
    {
        if (!DnsLabelRegex().IsMatch(service.Name))
        {
            ctx.ErrorAt("name", service, $"service name '{service.Name}' must be a DNS label: lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit");
        }

        ValidateKindAndImage(ctx, service);
        ValidateResources(ctx, service);
        var roles = ValidateReplicaGroups(ctx, service);
        EndpointRules.Validate(ctx, service.Endpoints, roles);
        ValidateScale(ctx, service);
        if (service.Health is { } health)
        {
            HealthRules.Validate(ctx, health, service.Endpoints);
        }

        InitRules.Validate(ctx, service);
        ValidateStorage(ctx, service);
        ValidateEnv(ctx, service, service.Env, "env");
        foreach (var group in service.ReplicaGroups)
        {
            ValidateEnv(ctx, service, group.Env, $"replica_groups.{group.Role}.env");
        }

        ValidateMisc(ctx, service);
        WasmRules.Validate(ctx, service);
    }

    private static void ValidateKindAndImage(ValidationContext ctx, ServiceSpec service)
    {
        if (service.Schedule is not null && service.Rtype != ResourceType.Cron)
        {
            ctx.Error("schedule", service, "schedule", $"schedule is only allowed with rtype: cron (this service is rtype: {service.Rtype.ToString().ToLowerInvariant()})");
        }

        if (service.Rtype == ResourceType.Cron && service.Schedule is null && !service.Has("schedule"))
        {
            ctx.Error("schedule", service, "rtype", "rtype: cron needs a schedule");
        }

        if (service.Runtime == RuntimeKind.Process)
        {
            if (service.Command?.Entrypoint is not { Count: > 0 })
            {
                ctx.Error("process", service, service.Has("command") ? "command" : "runtime", "runtime: process needs command.entrypoint (the program to run on the host)");
            }
        }
        else if (service.Image is null)
        {
            var message = $"service '{service.Name}' needs 'image' (or runtime: process with command.entrypoint)";
            if (service.Has("image"))
            {
                // 'image: ~' (an image that failed to bind is already reported there).
                ctx.Error("missing-key", service, "image", message);
            }
            else
            {
                ctx.ErrorAt("missing-key", service, message);
            }
        }
    }

    private static void ValidateResources(ValidationContext ctx, ServiceSpec service)
    {
        foreach (var resources in new[] { service.Resources }.Concat(service.ReplicaGroups.Select(g => g.Resources)))
        {
            if (resources is null)
            {
                continue;
            }

            if (resources.Cpu is <= 0)
            {
                ctx.Error("cpu", resources, "cpu", $"cpu must be greater than 0, found {resources.Cpu}");
            }

            if (resources.MemorySwappiness is > 100)
            {
                ctx.Error("range", resources, "memory_swappiness", $"memory_swappiness must be 0-100, found {resources.MemorySwappiness}");
            }

            if (resources.BlkioWeight is < 10 or > 1000)
            {
                ctx.Error("range", resources, "blkio_weight", $"blkio_weight must be 10-1000, found {resources.BlkioWeight}");
            }

            if (resources.PidsLimit is 0 or < -1)
            {
                ctx.Error("range", resources, "pids_limit", "pids_limit must be positive (or -1 for unlimited)");
            }

            if (resources.Cpuset is { } cpuset && !CpusetRegex().IsMatch(cpuset))
            {
                ctx.Error("cpuset", resources, "cpuset", $"cpuset '{cpuset}' must be a CPU list such as 0-3 or 0,2");
            }

            if (resources.Gpu is { Count: 0 } gpu)
            {
                ctx.Error("range", gpu, "count", "gpu count must be at least 1");
            }
        }
    }

    private static HashSet<string> ValidateReplicaGroups(ValidationContext ctx, ServiceSpec service)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in service.ReplicaGroups)
        {
            if (!RoleRegex().IsMatch(group.Role))
            {
                ctx.Error("role", group, "role", $"role '{group.Role}' must be 1-30 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'");
            }

            if (!roles.Add(group.Role))
            {
                ctx.Error("duplicate-role", group, "role", $"role '{group.Role}' is declared twice in replica_groups");
            }

            if (group.Has("count") && group.Count < 1)
            {
                ctx.Error("range", group, "count", "replica group count must be at least 1");
            }
        }

        if (service.ReplicaGroups.Count > 0 && service.Scale is { Mode: ScaleMode.Fixed, Replicas: { } replicas })
        {
            var total = service.ReplicaGroups.Sum(g => (long)g.Count);
            if (total != replicas)
            {
                ctx.Warning("replica-groups", service.Scale, "replicas", $"scale.replicas is {replicas} but replica_groups counts add up to {total}; keep them equal");
            }
        }

        return roles;
    }

    private static void ValidateScale(ValidationContext ctx, ServiceSpec service)
    {
        if (service.Scale is not { Mode: ScaleMode.Adaptive } scale)
        {
            return;
        }

        if (scale.Min is { } min && scale.Max is { } max && min > max)
        {
            ctx.Error("scale", scale, "min", $"scale min ({min}) must not exceed max ({max})");
        }

        if (scale.Max is 0)
        {
            ctx.Error("scale", scale, "max", "scale max must be at least 1");
        }

        if (scale.Targets is { } targets)
        {
            if (targets.Cpu is 0 or > 100)
            {
                ctx.Error("scale", targets, "cpu", $"cpu target must be a percentage 1-100, found {targets.Cpu}");
            }

            if (targets.Memory is 0 or > 100)
            {
                ctx.Error("scale", targets, "memory", $"memory target must be a percentage 1-100, found {targets.Memory}");
            }

            if (targets.Rps is 0)
            {
                ctx.Error("scale", targets, "rps", "rps target must be at least 1");
            }
        }
    }

    private static void ValidateStorage(ValidationContext ctx, ServiceSpec service)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var storage in service.Storage)
        {
            if (storage.Target.Length > 0 && !storage.Target.StartsWith('/'))
            {
                ctx.Error("storage", storage, "target", $"storage target '{storage.Target}' must be an absolute path inside the replica");
            }
            else if (storage.Target.Length > 0 && !targets.Add(storage.Target.TrimEnd('/')))
            {
                ctx.Error("storage", storage, "target", $"two storage entries mount at '{storage.Target}'");
            }

            if (storage.Type == StorageType.Named && storage.Name is { } name && !VolumeNameRegex().IsMatch(name))
            {
                ctx.Error("storage", storage, "name", $"volume name '{name}' must be lowercase letters, digits and '-', at most 63, starting with a letter or digit");
            }

            if (storage.Type == StorageType.Bind && storage.Source is { Length: 0 })
            {
                ctx.Error("storage", storage, "source", "bind source must not be empty");
            }
        }

        foreach (var device in service.Devices)
        {
            if (string.IsNullOrWhiteSpace(device.Path) || !device.Path.StartsWith('/'))
            {
                ctx.Error("device", device, "path", $"device path '{device.Path}' must be an absolute path such as /dev/kvm");
            }
        }

        foreach (var mapping in service.PortMappings)
        {
            if (mapping.Has("container_port") && mapping.ContainerPort == 0)
            {
                ctx.Error("port", mapping, "container_port", "container_port must be 1-65535");
            }
        }
    }

    private static void ValidateEnv(ValidationContext ctx, ServiceSpec service, EnvMap env, string key)
    {
        foreach (var (name, value) in env)
        {
            if (!EnvNameRegex().IsMatch(name))
            {
                ctx.Error("env", service, key, $"env name '{name}' must be letters, digits and '_', not starting with a digit");
            }

            if (!EnvTemplate.TryParse(value, out var tokens, out var error))
            {
                ctx.Error("env", service, key, $"env {name}: {error}");
                continue;
            }

            foreach (var token in tokens.Where(t => t.Kind == EnvTokenKind.ServiceRef))
            {
                if (!ctx.Spec.Services.TryGetValue(token.Service!, out var target))
                {
                    ctx.Error("env", service, key, $"env {name}: {token.Text} names no service of this deployment{Binding.Suggestions.DidYouMean(token.Service!, ctx.Spec.Services.Keys)}");
                }
                else if (token.Property == "endpoint" && !target.Endpoints.Any(e => e.Name == token.Endpoint))
                {
                    ctx.Error("env", service, key, $"env {name}: service '{token.Service}' has no endpoint '{token.Endpoint}'");
                }
                else if (token.Property == "port" && target.Endpoints.Count == 0)
                {
                    ctx.Error("env", service, key, $"env {name}: {token.Text} needs service '{token.Service}' to have an endpoint");
                }
            }
        }
    }

    private static void ValidateMisc(ValidationContext ctx, ServiceSpec service)
    {
        if (service.StopSignal is { } signal && !SignalNames.IsValid(signal))
        {
            ctx.Error("signal", service, "stop_signal", $"stop_signal '{signal}' is not a signal name (SIGTERM, TERM) or number (1-64)");
        }

        foreach (var host in service.ExtraHosts)
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == host.Length - 1)
            {
                ctx.Error("extra-hosts", service, "extra_hosts", $"extra_hosts entry '{host}' must be NAME:IP (IP may be host-gateway)");
                continue;
            }

            var ip = host[(colon + 1)..];
            if (ip != "host-gateway" && !System.Net.IPAddress.TryParse(ip.Trim('[', ']'), out _))
            {
                ctx.Error("extra-hosts", service, "extra_hosts", $"extra_hosts entry '{host}': '{ip}' is not an IP address");
            }
        }

        foreach (var dns in service.Dns)
        {
            if (!System.Net.IPAddress.TryParse(dns, out _))
            {
                ctx.Error("dns", service, "dns", $"dns entry '{dns}' must be an IP address");
            }
        }

        if (service.User is { } user && !UserRegex().IsMatch(user))
        {
            ctx.Error("user", service, "user", $"user '{user}' must be uid[:gid] or name[:group]");
        }

        foreach (var (name, limit) in service.Ulimits)
        {
            if (limit is { Soft: { } soft, Hard: { } hard } && soft > hard)
            {
                ctx.Error("ulimits", limit, "soft", $"ulimit {name}: soft ({soft}) exceeds hard ({hard})");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\z")]
    internal static partial Regex DnsLabelRegex();

    [GeneratedRegex("^[a-z]([a-z0-9-]{0,28}[a-z0-9])?\\z")]
    private static partial Regex RoleRegex();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}\\z")]
    private static partial Regex VolumeNameRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex(@"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*\z")]
    private static partial Regex CpusetRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?\z")]
    private static partial Regex UserRegex();
}
