using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>networks</c>, <c>network_mode</c>, <c>hostname</c>, <c>dns</c> and <c>extra_hosts</c>. A ZLayer
/// deployment runs on one network, so the networks a service joins are only checked against the
/// declared ones; joining several is warned about, since their isolation from each other is lost.
/// </summary>
internal sealed class NetworkFieldsMapper(ComposeMappingContext context)
{
    private ComposeReporter Reporter => context.Reporter;

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take("network_mode", out var modeKey, out var modeNode) && context.Scalars.Text(modeNode, fields.PathOf("network_mode"), out var mode))
        {
            MapNetworkMode(fields, service, modeKey, modeNode, mode);
        }

        if (fields.Take("networks", out var networksKey, out var networksNode))
        {
            MapNetworks(fields, networksKey, networksNode);
        }

        if (fields.Take("hostname", out var hostnameKey, out var hostnameNode) && context.Scalars.Text(hostnameNode, fields.PathOf("hostname"), out var hostname))
        {
            service.Hostname = hostname;
            ServiceFields.Mark(service, "hostname", hostnameKey);
        }

        if (fields.Take("dns", out var dnsKey, out var dnsNode))
        {
            service.Dns.AddRange(context.Scalars.TextList(dnsNode, fields.PathOf("dns")).Select(d => d.Text));
            ServiceFields.Mark(service, "dns", dnsKey);
        }

        if (fields.Take("extra_hosts", out var hostsKey, out var hostsNode))
        {
            MapExtraHosts(hostsNode, fields.PathOf("extra_hosts"), service.ExtraHosts);
            ServiceFields.Mark(service, "extra_hosts", hostsKey);
        }
    }

    private void MapNetworkMode(ServiceFields fields, ServiceSpec service, YScalar key, YNode node, string mode)
    {
        var path = fields.PathOf("network_mode");
        // Compose's service:NAME is our container:NAME: the runtime reads a service name there as
        // "that service's replica with the same index".
        var text = mode.StartsWith("service:", StringComparison.Ordinal) ? "container:" + mode["service:".Length..] : mode;
        if (NetworkMode.TryParse(text, out var parsed, out var error))
        {
            service.NetworkMode = parsed;
            ServiceFields.Mark(service, "network_mode", key);
        }
        else
        {
            Reporter.Error(ComposeCodes.Value, $"'{path}': {error}", node, path);
        }
    }

    private void MapNetworks(ServiceFields fields, YScalar key, YNode node)
    {
        var path = fields.PathOf("networks");
        var joined = new List<(string Name, YNode At)>();
        switch (node)
        {
            case YScalar { IsNull: true }:
                break;
            case YSequence:
                joined.AddRange(context.Scalars.TextList(node, path).Select(n => (n.Text, n.Node)));
                break;
            case YMapping map:
                foreach (var (name, settings) in map.Entries)
                {
                    joined.Add((name.Value, name));
                    if (settings is YMapping { Entries.Count: > 0 } options)
                    {
                        foreach (var (option, _) in options.Entries)
                        {
                            Reporter.Unsupported($"networks.{name.Value}.{option.Value}", option, $"{path}.{name.Value}.{option.Value}", "replicas are reached by service name on the deployment's network");
                        }
                    }
                }

                break;
            default:
                Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list or map of networks, found {ComposeScalars.Found(node)}", node, path);
                return;
        }

        foreach (var (name, at) in joined)
        {
            if (!context.Resources.Networks.Contains(name))
            {
                Reporter.Error(ComposeCodes.Reference, $"service '{fields.Name}' uses network '{name}', which is not declared under the top-level 'networks'", at, path);
            }
        }

        if (joined.Count > 1)
        {
            Reporter.Approximated(
                $"service '{fields.Name}' is attached to networks {string.Join(", ", joined.Select(j => j.Name))}; a ZLayer deployment has one network, so all its services can reach each other",
                key,
                path);
        }

        if (joined.Count > 0 && fields.Peek("network_mode") is not null)
        {
            Reporter.Error(ComposeCodes.Conflict, $"service '{fields.Name}' sets both 'network_mode' and 'networks'", key, path);
        }
    }

    /// <summary>List entries <c>host:ip</c> or <c>host=ip</c>, or a map <c>host: ip</c> (or a list of IPs); written out as <c>host:ip</c>.</summary>
    private void MapExtraHosts(YNode node, string path, List<string> into)
    {
        void Add(string host, string ip, YNode at)
        {
            ip = ip.Trim();
            if (ip.StartsWith('[') && ip.EndsWith(']'))
            {
                ip = ip[1..^1];
            }

            if (host.Length == 0 || ip.Length == 0)
            {
                Reporter.Error(ComposeCodes.Value, $"invalid extra_hosts entry '{host}:{ip}': expected HOST:IP", at, path);
                return;
            }

            var entry = $"{host.Trim()}:{ip}";
            if (!into.Contains(entry))
            {
                into.Add(entry);
            }
        }

        if (node is YMapping map)
        {
            foreach (var (host, value) in map.Entries)
            {
                foreach (var (ip, at) in context.Scalars.TextList(value, $"{path}.{host.Value}"))
                {
                    Add(host.Value, ip, at);
                }
            }

            return;
        }

        foreach (var (text, at) in context.Scalars.TextList(node, path))
        {
            // '=' is the newer separator and allows IPv6 without brackets; otherwise the first ':' splits.
            var separator = text.IndexOf('=', StringComparison.Ordinal);
            if (separator < 0)
            {
                separator = text.IndexOf(':', StringComparison.Ordinal);
            }

            if (separator < 0)
            {
                Reporter.Error(ComposeCodes.Value, $"invalid extra_hosts entry '{text}': expected HOST:IP or HOST=IP", at, path);
                continue;
            }

            Add(text[..separator], text[(separator + 1)..], at);
        }
    }
}
