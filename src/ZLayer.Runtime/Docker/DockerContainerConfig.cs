using System.Globalization;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Docker;

/// <summary>Where a replica's container is attached: the engine's network mode, and the network whose aliases it gets, if any.</summary>
internal sealed record DockerAttachment(string NetworkMode, string? Network);

/// <summary>
/// The body of POST /containers/create for one replica: image, command, environment, user and
/// workdir, labels, ports, mounts, resources and security, and its network with the service name and
/// host name as aliases (so replicas of a deployment resolve each other through the engine's DNS).
/// The restart policy is "no": the agent decides about restarts.
/// </summary>
internal static class DockerContainerConfig
{
    /// <summary>Set from the daemon's own environment by the agent; a container keeps the image's unless the spec names them.</summary>
    private static readonly string[] HostDerived = ["PATH", "HOME"];

    /// <param name="resolver">The node's DNS server, for containers whose service names no <c>dns</c> of its own.</param>
    public static JsonObject Build(ReplicaLaunchSpec replica, string image, DockerAttachment attachment, IReadOnlyDictionary<string, string> labels, NamedVolumes volumes, NodeResolver? resolver = null)
    {
        var service = replica.Service;
        var hostNetwork = attachment.NetworkMode == "host";
        var hostname = service.Hostname ?? HostnameOf(replica);
        var config = new JsonObject
        {
            ["Image"] = image,
            ["Env"] = new JsonArray([.. Environment(replica).Select(e => (JsonNode?)e)]),
            ["Labels"] = new JsonObject(labels.Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
            ["Tty"] = service.Tty is true,
            ["OpenStdin"] = service.StdinOpen is true,
            ["AttachStdout"] = false,
            ["AttachStderr"] = false,
        };
        DockerCommand.Apply(replica, config);
        if (!hostNetwork)
        {
            config["Hostname"] = hostname;
        }

        if (!string.IsNullOrEmpty(service.User))
        {
            config["User"] = service.User;
        }

        if (!string.IsNullOrEmpty(replica.WorkingDirectory))
        {
            config["WorkingDir"] = ContainerPath.Normalise(service.Name, "command.workdir", replica.WorkingDirectory);
        }

        if (!string.IsNullOrEmpty(service.StopSignal))
        {
            config["StopSignal"] = service.StopSignal;
        }

        var host = new JsonObject
        {
            ["NetworkMode"] = attachment.NetworkMode,
            ["RestartPolicy"] = new JsonObject { ["Name"] = "no" },
            ["ReadonlyRootfs"] = service.ReadOnlyRootFs is true,
            ["Init"] = service.InitContainer is true,
            ["Mounts"] = DockerStorage.Mounts(service, volumes),
            // The engine's embedded DNS keeps answering container names and forwards the rest here.
            ["Dns"] = Strings(service.Dns.Count == 0 && resolver is not null ? [.. resolver.Nameservers] : service.Dns),
            ["DnsSearch"] = Strings(service.Dns.Count == 0 && resolver is not null ? [.. resolver.Search] : []),
            ["ExtraHosts"] = Strings(service.ExtraHosts),
            ["GroupAdd"] = Strings(service.ExtraGroups),
            ["SecurityOpt"] = Strings(service.SecurityOpt),
            ["LogConfig"] = new JsonObject
            {
                ["Type"] = "json-file",
                ["Config"] = new JsonObject { ["max-size"] = (service.Logs?.MaxSizeBytes ?? 104_857_600).ToString(CultureInfo.InvariantCulture) },
            },
        };
        foreach (var (field, value) in new[] { ("PidMode", service.PidMode), ("IpcMode", service.IpcMode), ("UsernsMode", service.UsernsMode), ("CgroupParent", service.CgroupParent) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                host[field] = value;
            }
        }

        DockerResources.Apply(service, host, hostNetwork, service.IpcMode == "host");
        Ports(service, config, host);
        config["HostConfig"] = host;
        if (attachment.Network is { } network)
        {
            config["NetworkingConfig"] = new JsonObject
            {
                ["EndpointsConfig"] = new JsonObject
                {
                    [network] = new JsonObject { ["Aliases"] = Strings(new[] { replica.ServiceName, hostname }.Distinct()) },
                },
            };
        }

        return config;
    }

    /// <summary>A DNS-safe host name from the replica id (deployment.service.N becomes service-N), as the runc runtime names it.</summary>
    public static string HostnameOf(ReplicaLaunchSpec replica) =>
        $"{replica.ServiceName}-{replica.Index.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant();

    /// <summary>The replica's environment over the image's (the engine merges them, ours winning).</summary>
    private static IEnumerable<string> Environment(ReplicaLaunchSpec replica)
    {
        foreach (var (name, value) in replica.Environment)
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                throw BundleError.For(replica.ServiceName, $"invalid environment variable name \"{name}\"");
            }

            if (value.Contains('\0'))
            {
                throw BundleError.For(replica.ServiceName, $"environment variable {name} contains a NUL character");
            }

            if (!HostDerived.Contains(name) || replica.Service.Env.ContainsKey(name))
            {
                yield return $"{name}={value}";
            }
        }
    }

    /// <summary><c>port_mappings</c> as published ports; a missing or zero host port lets the engine pick one.</summary>
    private static void Ports(ServiceSpec service, JsonObject config, JsonObject host)
    {
        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var mapping in service.PortMappings)
        {
            if (mapping.ContainerPort == 0)
            {
                throw BundleError.For(service.Name, "port_mappings: container_port must be 1..65535");
            }

            var key = $"{mapping.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{mapping.Protocol.ToString().ToLowerInvariant()}";
            exposed[key] = new JsonObject();
            if (bindings[key] is not JsonArray list)
            {
                list = [];
                bindings[key] = list;
            }

            list.Add(new JsonObject
            {
                ["HostIp"] = mapping.HostIp,
                ["HostPort"] = mapping.HostPort is > 0 and var port ? port.ToString(CultureInfo.InvariantCulture) : "",
            });
        }

        if (exposed.Count > 0)
        {
            config["ExposedPorts"] = exposed;
            host["PortBindings"] = bindings;
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
