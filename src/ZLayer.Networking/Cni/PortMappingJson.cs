using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>
/// Port mappings in the form the <c>portMappings</c> capability passes them to plugins
/// (<c>{"hostPort","containerPort","protocol","hostIP"}</c>), and back from our cache.
/// </summary>
internal static class PortMappingJson
{
    /// <summary>Checks the mappings can be set up together, then writes them as the capability's argument.</summary>
    public static JsonArray ToCapability(IReadOnlyList<PortMapping> ports)
    {
        var seen = new Dictionary<(ushort, PortProtocol, IPAddress?), PortMapping>();
        var array = new JsonArray();
        foreach (var port in ports)
        {
            if (port.HostPort == 0)
            {
                throw new CniConfigurationException($"port mapping {port}: the host port must be chosen before attaching (portmap has no ephemeral ports)");
            }
            if (port.ContainerPort == 0)
            {
                throw new CniConfigurationException($"port mapping {port}: container port 0 is not a port");
            }
            if (!Enum.IsDefined(port.Protocol))
            {
                throw new CniConfigurationException($"port mapping {port}: unknown protocol {(int)port.Protocol}");
            }
            var hostIp = port.HostIp is { } ip && !ip.Equals(IPAddress.Any) ? ip : null;
            if (hostIp is not null && hostIp.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new CniConfigurationException($"port mapping {port}: host address {hostIp} is not IPv4, and ZLayer's network is IPv4 only");
            }
            // 0.0.0.0 overlaps every specific address: a duplicate on it or on the same address would be ambiguous DNAT.
            foreach (var ((otherPort, otherProtocol, otherIp), other) in seen)
            {
                if (otherPort == port.HostPort && otherProtocol == port.Protocol && (otherIp is null || hostIp is null || otherIp.Equals(hostIp)))
                {
                    throw new CniConfigurationException($"port mappings {other} and {port} both claim host port {port.HostPort}/{Wire(port.Protocol)}");
                }
            }
            seen[(port.HostPort, port.Protocol, hostIp)] = port;

            var entry = new JsonObject
            {
                ["hostPort"] = (int)port.HostPort,
                ["containerPort"] = (int)port.ContainerPort,
                ["protocol"] = Wire(port.Protocol),
            };
            if (hostIp is not null)
            {
                entry["hostIP"] = hostIp.ToString();
            }
            array.Add(entry);
        }
        return array;
    }

    /// <summary>Reads mappings written by <see cref="ToCapability"/>; <paramref name="where"/> names the source in errors.</summary>
    public static IReadOnlyList<PortMapping> FromCapability(JsonNode? node, string where)
    {
        if (node is null)
        {
            return [];
        }
        if (node is not JsonArray array)
        {
            throw new FormatException($"{where}: portMappings is not an array");
        }
        var ports = new List<PortMapping>();
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"{where}: portMappings[{i}]";
            if (array[i] is not JsonObject entry)
            {
                throw new FormatException($"{path} is not an object");
            }
            var hostPort = Port(entry, "hostPort", path);
            var containerPort = Port(entry, "containerPort", path);
            var protocol = Json.OptionalString(entry, "protocol", path) switch
            {
                null or "tcp" => PortProtocol.Tcp,
                "udp" => PortProtocol.Udp,
                var other => throw new FormatException($"{path}.protocol: '{other}' is not tcp or udp"),
            };
            IPAddress? hostIp = null;
            if (Json.OptionalString(entry, "hostIP", path) is { } text && !IPAddress.TryParse(text, out hostIp))
            {
                throw new FormatException($"{path}.hostIP: '{text}' is not an IP address");
            }
            ports.Add(new PortMapping(hostPort, containerPort, protocol, hostIp));
        }
        return ports;
    }

    private static string Wire(PortProtocol protocol) => protocol == PortProtocol.Udp ? "udp" : "tcp";

    private static ushort Port(JsonObject entry, string key, string path)
    {
        if (entry[key] is JsonValue value && value.TryGetValue<int>(out var port) && port is > 0 and <= ushort.MaxValue)
        {
            return (ushort)port;
        }
        throw new FormatException($"{path}.{key} is missing or not a port number (1-65535)");
    }
}
