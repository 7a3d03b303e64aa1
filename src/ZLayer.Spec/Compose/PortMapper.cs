using ZLayer.Spec.Model;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>
/// <c>ports</c> → <see cref="ServiceSpec.PortMappings"/> (Docker-style host publishing, not proxy
/// endpoints) and <c>expose</c> → <see cref="ServiceSpec.Expose"/>. Ranges expand to one mapping per port.
/// </summary>
internal sealed class PortMapper(ComposeMappingContext context)
{
    private static readonly HashSet<string> LongSyntaxKeys = ["target", "published", "host_ip", "protocol", "mode"];

    public void Map(ServiceFields fields, ServiceSpec service)
    {
        if (fields.Take("ports", out var portsKey, out var portsNode))
        {
            MapPorts(portsNode, fields.PathOf("ports"), service.PortMappings);
            ServiceFields.Mark(service, "port_mappings", portsKey);
        }

        if (fields.Take("expose", out var exposeKey, out var exposeNode))
        {
            var path = fields.PathOf("expose");
            foreach (var (text, node) in context.Scalars.TextList(exposeNode, path))
            {
                var slash = text.IndexOf('/', StringComparison.Ordinal);
                var protocol = slash < 0 ? "tcp" : text[(slash + 1)..];
                if (!PortSyntax.TryParseRange(slash < 0 ? text : text[..slash], 1, out _, out var error) || protocol is not ("tcp" or "udp"))
                {
                    context.Reporter.Error(ComposeCodes.Value, $"invalid expose entry '{text}': {(protocol is "tcp" or "udp" ? error : $"protocol '{protocol}' is not tcp or udp")}", node, path);
                    continue;
                }

                if (!service.Expose.Contains(text))
                {
                    service.Expose.Add(text);
                }
            }

            ServiceFields.Mark(service, "expose", exposeKey);
        }
    }

    private void MapPorts(YNode node, string path, List<PortMappingSpec> into)
    {
        if (YTree.IsNull(node))
        {
            return;
        }

        if (node is not YSequence seq)
        {
            context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs a list of ports, found {ComposeScalars.Found(node)}", node, path);
            return;
        }

        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}[{i}]";
            var spec = item switch
            {
                YScalar { IsNull: false } s => Short(s, itemPath),
                YMapping m => Long(m, itemPath),
                _ => null,
            };
            if (item is not (YScalar { IsNull: false } or YMapping))
            {
                context.Reporter.Error(ComposeCodes.Type, $"'{itemPath}' needs a port such as \"8080:80\" or a map with 'target', found {ComposeScalars.Found(item)}", item, itemPath);
            }

            if (spec is not null)
            {
                Expand(spec, item, itemPath, into);
            }
        }
    }

    private PortSpecText? Short(YScalar item, string path)
    {
        if (PortSyntax.TrySplit(item.Value, out var spec, out var error))
        {
            return spec;
        }

        context.Reporter.Error(ComposeCodes.Value, error, item, path);
        return null;
    }

    private PortSpecText? Long(YMapping item, string path)
    {
        foreach (var (key, _) in item.Entries)
        {
            if (!LongSyntaxKeys.Contains(key.Value))
            {
                context.Reporter.Unsupported($"ports.{key.Value}", key, $"{path}.{key.Value}");
            }
        }

        if (item.Get("target") is not { } target)
        {
            context.Reporter.Error(ComposeCodes.Type, $"'{path}' needs 'target', the container port", item, path);
            return null;
        }

        if (!context.Scalars.Text(target, $"{path}.target", out var targetText))
        {
            return null;
        }

        var published = YTree.TextOf(item.Get("published"));
        var protocol = YTree.TextOf(item.Get("protocol"))?.ToLowerInvariant() ?? "tcp";
        var hostIp = YTree.TextOf(item.Get("host_ip"));
        if (hostIp is { Length: > 0 } && !System.Net.IPAddress.TryParse(hostIp.Trim('[', ']'), out _))
        {
            context.Reporter.Error(ComposeCodes.Value, $"'{path}.host_ip': '{hostIp}' is not an IP address", item.Get("host_ip")!, $"{path}.host_ip");
            return null;
        }

        var mode = YTree.TextOf(item.Get("mode"));
        if (mode is not (null or "host" or "ingress"))
        {
            context.Reporter.Error(ComposeCodes.Value, $"'{path}.mode': unknown mode '{mode}', expected host or ingress", item.Get("mode")!, $"{path}.mode");
        }

        return new PortSpecText(hostIp is { Length: > 0 } ? hostIp.Trim('[', ']') : null, published is { Length: > 0 } ? published : null, targetText, protocol);
    }

    private void Expand(PortSpecText spec, YNode item, string path, List<PortMappingSpec> into)
    {
        var text = item is YScalar s ? s.Value : $"{spec.Published}:{spec.Target}/{spec.Protocol}";
        if (spec.Protocol is not ("tcp" or "udp"))
        {
            context.Reporter.Error(ComposeCodes.Value, $"invalid port '{text}': protocol '{spec.Protocol}' is not supported (tcp or udp)", item, path);
            return;
        }

        if (!PortSyntax.TryParseRange(spec.Target, 1, out var target, out var targetError))
        {
            context.Reporter.Error(ComposeCodes.Value, $"invalid port '{text}': container port {targetError}", item, path);
            return;
        }

        PortRange? published = null;
        if (spec.Published is not null)
        {
            if (!PortSyntax.TryParseRange(spec.Published, 0, out var range, out var publishedError))
            {
                context.Reporter.Error(ComposeCodes.Value, $"invalid port '{text}': published port {publishedError}", item, path);
                return;
            }

            published = range;
        }

        if (published is { } p && p.Count != target.Count)
        {
            if (target.Count != 1)
            {
                context.Reporter.Error(ComposeCodes.Value, $"invalid port '{text}': the published range {p} and the container range {target} differ in length", item, path);
                return;
            }

            // Docker picks any free port of the range; a fixed publication needs one, so take the first.
            context.Reporter.Approximated($"port '{text}': Docker picks a free host port from {p}; ZLayer publishes {p.Start}", item, path);
            published = new PortRange(p.Start, p.Start);
        }

        if (into.Count + target.Count > context.Session.Limits.MaxPortMappingsPerService)
        {
            context.Reporter.Error(ComposeCodes.Limit, $"port '{text}' would make more than {context.Session.Limits.MaxPortMappingsPerService} port mappings for one service", item, path);
            return;
        }

        var protocol = spec.Protocol == "udp" ? TransportProtocol.Udp : TransportProtocol.Tcp;
        for (var offset = 0; offset < target.Count; offset++)
        {
            var mapping = new PortMappingSpec
            {
                ContainerPort = (ushort)(target.Start + offset),
                HostPort = published is { } host && host.Start + offset > 0 ? (ushort)(host.Start + offset) : null,
                Protocol = protocol,
                HostIp = spec.HostIp ?? "0.0.0.0",
                Location = item.Location,
                SpecPath = path,
            };
            mapping.KeyLocations["container_port"] = item.Location;
            into.Add(mapping);
        }
    }
}
