using System.Globalization;
using System.Text.RegularExpressions;
using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>deploy</c>, <c>restart</c>, <c>scale</c> and the service-level resource limits (<c>cpus</c>,
/// <c>mem_limit</c>, ...) → scale, resources, placement and restart policy. Where Compose has two
/// spellings, <c>deploy</c> wins as it does in Docker Compose, and the loser is warned about.
/// </summary>
internal sealed partial class DeployMapper(ComposeMappingContext context)
{
    /// <summary>Service-level resource keys and the <c>deploy.resources.limits</c> key that overrides each.</summary>
    private static readonly Dictionary<string, string> LegacyResourceKeys = new(StringComparer.Ordinal)
    {
        ["cpus"] = "cpus",
        ["mem_limit"] = "memory",
        ["pids_limit"] = "pids",
        ["memswap_limit"] = "",
        ["mem_reservation"] = "",
        ["mem_swappiness"] = "",
        ["cpu_shares"] = "",
        ["cpuset"] = "",
        ["oom_score_adj"] = "",
        ["oom_kill_disable"] = "",
    };

    private ComposeReporter Reporter => context.Reporter;

    private ComposeScalars Scalars => context.Scalars;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        var setByDeploy = new HashSet<string>(StringComparer.Ordinal);
        if (fields.Take("restart", out var restartKey, out var restartNode))
        {
            MapRestart(restartKey, restartNode, fields.PathOf("restart"), service);
        }

        if (fields.Take("deploy", out var deployKey, out var deployNode) && !YTree.IsNull(deployNode))
        {
            if (deployNode is YMapping deploy)
            {
                MapDeploy(deploy, fields.PathOf("deploy"), service, setByDeploy);
            }
            else
            {
                Reporter.Error(ComposeCodes.Type, $"'{fields.PathOf("deploy")}' needs a map, found {ComposeScalars.Found(deployNode)}", deployNode, fields.PathOf("deploy"));
            }
        }

        foreach (var (legacy, deployName) in LegacyResourceKeys)
        {
            if (!fields.Take(legacy, out var key, out var node))
            {
                continue;
            }

            if (setByDeploy.Contains(deployName))
            {
                Reporter.Approximated($"'{legacy}' is overridden by deploy.resources.limits.{deployName}", key, fields.PathOf(legacy));
                continue;
            }

            MapResource(legacy, key, node, fields.PathOf(legacy), fields.Path, service);
        }

        if (fields.Take("scale", out var scaleKey, out var scaleNode))
        {
            if (service.Scale is not null)
            {
                Reporter.Approximated("'scale' is overridden by deploy.replicas", scaleKey, fields.PathOf("scale"));
            }
            else if (Scalars.Integer(scaleNode, fields.PathOf("scale"), 0, uint.MaxValue, out var replicas))
            {
                service.Scale = Fixed((uint)replicas, scaleNode, fields.PathOf("scale"));
                ServiceFields.Mark(service, "scale", scaleKey);
            }
        }

        // Compose runs one replica unless told otherwise; upstream ZLayer's default (adaptive 1..10)
        // would change what a compose file means.
        service.Scale ??= Fixed(1, fields.Node, fields.Path);

        // Compose's default restart policy is "no": a container that exits stays down. Writing it out
        // keeps that meaning, which one-shot services (service_completed_successfully) depend on.
        service.RestartPolicy ??= new RestartPolicySpec { Kind = RestartKind.No, Location = fields.Node.Location, SpecPath = fields.Path };
    }

    private static ScaleSpec Fixed(uint replicas, YNode at, string path) =>
        new() { Mode = ScaleMode.Fixed, Replicas = replicas, Location = at.Location, SpecPath = path };

    private void MapRestart(YScalar key, YNode node, string path, ServiceSpec service)
    {
        if (!Scalars.Text(node, path, out var text))
        {
            return;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? text : text[..colon];
        RestartKind? kind = name switch
        {
            "no" => RestartKind.No,
            "always" => RestartKind.Always,
            "unless-stopped" => RestartKind.UnlessStopped,
            "on-failure" => RestartKind.OnFailure,
            _ => null,
        };
        uint? attempts = null;
        if (colon >= 0 && kind == RestartKind.OnFailure && uint.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            attempts = n;
        }
        else if (colon >= 0)
        {
            kind = null;
        }

        if (kind is null)
        {
            Reporter.Error(ComposeCodes.Value, $"'{path}': unknown restart policy '{text}', expected no, always, on-failure[:max-retries] or unless-stopped", node, path);
            return;
        }

        service.RestartPolicy = new RestartPolicySpec { Kind = kind.Value, MaxAttempts = attempts, Location = node.Location, SpecPath = path };
        ServiceFields.Mark(service.RestartPolicy, "kind", key);
        ServiceFields.Mark(service, "restart_policy", key);
    }

    private void MapDeploy(YMapping deploy, string path, ServiceSpec service, HashSet<string> setByDeploy)
    {
        foreach (var (key, value) in deploy.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            switch (key.Value)
            {
                case "replicas":
                    if (Scalars.Integer(value, keyPath, 0, uint.MaxValue, out var replicas))
                    {
                        service.Scale = Fixed((uint)replicas, value, keyPath);
                        ServiceFields.Mark(service.Scale, "replicas", key);
                        ServiceFields.Mark(service, "scale", key);
                    }

                    break;
                case "mode":
                    var mode = YTree.TextOf(value);
                    if (mode == "global")
                    {
                        Reporter.Approximated("deploy.mode 'global' (one replica on every node) is not supported; the service runs deploy.replicas replicas (default 1)", value, keyPath);
                    }
                    else if (mode is not ("replicated" or "replicated-job" or "global-job"))
                    {
                        Reporter.Error(ComposeCodes.Value, $"'{keyPath}': unknown mode {ComposeScalars.Found(value)}, expected replicated or global", value, keyPath);
                    }
                    else if (mode != "replicated")
                    {
                        Reporter.Unsupported($"deploy.mode: {mode}", value, keyPath, "the service runs as a long-lived service");
                    }

                    break;
                case "resources":
                    MapResources(value, keyPath, service, setByDeploy);
                    break;
                case "placement":
                    MapPlacement(value, keyPath, service);
                    break;
                case "restart_policy":
                    MapRestartPolicy(key, value, keyPath, service);
                    break;
                case "update_config" or "rollback_config":
                    Reporter.Warning(ComposeCodes.Compat, $"compose field 'deploy.{key.Value}' is not yet applied; updates use ZLayer's own rollout", key, keyPath);
                    break;
                default:
                    Reporter.Unsupported($"deploy.{key.Value}", key, keyPath);
                    break;
            }
        }
    }

    private void MapResources(YNode node, string path, ServiceSpec service, HashSet<string> setByDeploy)
    {
        if (node is not YMapping resources)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map with 'limits', found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        foreach (var (key, value) in resources.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            if (key.Value == "limits" && value is YMapping limits)
            {
                foreach (var (limitKey, limitValue) in limits.Entries)
                {
                    var limitPath = $"{keyPath}.{limitKey.Value}";
                    if (limitKey.Value is "cpus" or "memory" or "pids")
                    {
                        MapResource(limitKey.Value, limitKey, limitValue, limitPath, keyPath, service);
                        setByDeploy.Add(limitKey.Value);
                    }
                    else
                    {
                        Reporter.Unsupported($"deploy.resources.limits.{limitKey.Value}", limitKey, limitPath);
                    }
                }
            }
            else if (key.Value == "reservations")
            {
                Reporter.Unsupported("deploy.resources.reservations", key, keyPath, "ZLayer places replicas by their limits");
            }
            else if (key.Value == "limits")
            {
                Reporter.Error(ComposeCodes.Type, $"'{keyPath}' needs a map (cpus, memory, pids), found {ComposeScalars.Found(value)}", value, keyPath);
            }
            else
            {
                Reporter.Unsupported($"deploy.resources.{key.Value}", key, keyPath);
            }
        }
    }

    /// <summary>One resource setting, from <c>deploy.resources.limits</c> or the service-level spelling.</summary>
    private void MapResource(string name, YScalar key, YNode value, string path, string resourcesPath, ServiceSpec service)
    {
        ResourcesSpec Resources()
        {
            service.Resources ??= new ResourcesSpec { Location = value.Location, SpecPath = resourcesPath };
            ServiceFields.Mark(service, "resources", key);
            return service.Resources;
        }

        switch (name)
        {
            case "cpus":
                if (Scalars.Number(value, path, out var cpus))
                {
                    if (cpus < 0)
                    {
                        Reporter.Error(ComposeCodes.Value, $"'{path}' must not be negative", value, path);
                    }
                    else if (cpus > 0)
                    {
                        Resources().Cpu = cpus;
                        ServiceFields.Mark(Resources(), "cpu", key);
                    }
                }

                break;
            case "memory" or "mem_limit":
                if (Scalars.ByteSize(value, path, out var memory) && memory > 0)
                {
                    var size = ComposeByteSize.ToMemorySize(memory, out var exact);
                    if (!exact)
                    {
                        Reporter.Approximated($"'{path}' is {memory} bytes, not a whole number of KiB; rounded up to {size}", value, path);
                    }

                    Resources().Memory = size;
                    ServiceFields.Mark(Resources(), "memory", key);
                }

                break;
            case "pids" or "pids_limit":
                // Docker reads 0 and -1 as "no limit".
                if (Scalars.Integer(value, path, -1, long.MaxValue, out var pids) && pids > 0)
                {
                    Resources().PidsLimit = pids;
                    ServiceFields.Mark(Resources(), "pids_limit", key);
                }

                break;
            case "memswap_limit":
                if (YTree.TextOf(value) == "-1")
                {
                    Resources().MemorySwap = "-1";
                    ServiceFields.Mark(Resources(), "memory_swap", key);
                }
                else if (Scalars.ByteSize(value, path, out var swap) && swap > 0)
                {
                    Resources().MemorySwap = ComposeByteSize.ToBinaryUnits(swap, out _);
                    ServiceFields.Mark(Resources(), "memory_swap", key);
                }

                break;
            case "mem_reservation":
                if (Scalars.ByteSize(value, path, out var reservation) && reservation > 0)
                {
                    Resources().MemoryReservation = ComposeByteSize.ToBinaryUnits(reservation, out _);
                    ServiceFields.Mark(Resources(), "memory_reservation", key);
                }

                break;
            case "mem_swappiness":
                if (Scalars.Integer(value, path, 0, 100, out var swappiness))
                {
                    Resources().MemorySwappiness = (byte)swappiness;
                    ServiceFields.Mark(Resources(), "memory_swappiness", key);
                }

                break;
            case "cpu_shares":
                if (Scalars.Integer(value, path, 0, uint.MaxValue, out var shares))
                {
                    Resources().CpuShares = (uint)shares;
                    ServiceFields.Mark(Resources(), "cpu_shares", key);
                }

                break;
            case "cpuset":
                if (Scalars.Text(value, path, out var cpuset))
                {
                    Resources().Cpuset = cpuset;
                    ServiceFields.Mark(Resources(), "cpuset", key);
                }

                break;
            case "oom_score_adj":
                if (Scalars.Integer(value, path, -1000, 1000, out var adj))
                {
                    Resources().OomScoreAdj = (int)adj;
                    ServiceFields.Mark(Resources(), "oom_score_adj", key);
                }

                break;
            case "oom_kill_disable":
                if (Scalars.Bool(value, path, out var disable))
                {
                    Resources().OomKillDisable = disable;
                    ServiceFields.Mark(Resources(), "oom_kill_disable", key);
                }

                break;
        }
    }

    private void MapPlacement(YNode node, string path, ServiceSpec service)
    {
        if (node is not YMapping placement)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map with 'constraints', found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        foreach (var (key, value) in placement.Entries)
        {
            var keyPath = $"{path}.{key.Value}";
            if (key.Value != "constraints")
            {
                Reporter.Unsupported($"deploy.placement.{key.Value}", key, keyPath);
                continue;
            }

            foreach (var (constraint, at) in Scalars.TextList(value, keyPath))
            {
                var match = LabelConstraintRegex().Match(constraint);
                if (!match.Success)
                {
                    Reporter.Approximated($"placement constraint '{constraint}' is not supported and is ignored; only node.labels.KEY==VALUE is", at, keyPath);
                    continue;
                }

                service.NodeSelector ??= new NodeSelectorSpec { Location = value.Location, SpecPath = keyPath };
                service.NodeSelector.Labels[match.Groups[1].Value] = match.Groups[2].Value;
                ServiceFields.Mark(service.NodeSelector, "labels", key);
                ServiceFields.Mark(service, "node_selector", key);
            }
        }
    }

    private void MapRestartPolicy(YScalar key, YNode node, string path, ServiceSpec service)
    {
        if (node is not YMapping map)
        {
            Reporter.Error(ComposeCodes.Type, $"'{path}' needs a map (condition, max_attempts, delay), found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        // Docker Compose: deploy.restart_policy replaces 'restart'; an absent condition means "any".
        var policy = new RestartPolicySpec { Kind = RestartKind.Always, Location = map.Location, SpecPath = path };
        foreach (var (entryKey, value) in map.Entries)
        {
            var entryPath = $"{path}.{entryKey.Value}";
            switch (entryKey.Value)
            {
                case "condition":
                    RestartKind? kind = YTree.TextOf(value) switch
                    {
                        "none" => RestartKind.No,
                        "on-failure" => RestartKind.OnFailure,
                        "any" => RestartKind.Always,
                        _ => null,
                    };
                    if (kind is null)
                    {
                        Reporter.Error(ComposeCodes.Value, $"'{entryPath}': unknown condition {ComposeScalars.Found(value)}, expected none, on-failure or any", value, entryPath);
                    }
                    else
                    {
                        policy.Kind = kind.Value;
                        ServiceFields.Mark(policy, "kind", entryKey);
                    }

                    break;
                case "max_attempts":
                    if (Scalars.Integer(value, entryPath, 0, uint.MaxValue, out var attempts))
                    {
                        policy.MaxAttempts = (uint)attempts;
                        ServiceFields.Mark(policy, "max_attempts", entryKey);
                    }

                    break;
                case "delay":
                    if (Scalars.Duration(value, entryPath, out var delay))
                    {
                        policy.Delay = delay;
                        ServiceFields.Mark(policy, "delay", entryKey);
                    }

                    break;
                default:
                    Reporter.Unsupported($"deploy.restart_policy.{entryKey.Value}", entryKey, entryPath);
                    break;
            }
        }

        if (service.RestartPolicy is not null)
        {
            Reporter.Warning(ComposeCodes.Compat, "'restart' is overridden by deploy.restart_policy", service.LocationOf("restart_policy"), service.PathOf("restart"));
        }

        service.RestartPolicy = policy;
        ServiceFields.Mark(service, "restart_policy", key);
    }

    [GeneratedRegex(@"^\s*node\.labels\.([^=!\s]+)\s*==\s*(\S(?:.*\S)?)\s*$")]
    private static partial Regex LabelConstraintRegex();
}
