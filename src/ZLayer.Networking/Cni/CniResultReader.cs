using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>Reads a CNI 1.0.0 result, with errors naming the offending field by its JSON path.</summary>
internal static class CniResultReader
{
    /// <summary>Throws <see cref="FormatException"/> describing the first field that is not as the specification defines it.</summary>
    public static CniResult Read(JsonObject json)
    {
        var version = Json.RequiredString(json, "cniVersion", "result");
        if (version != CniNetwork.SpecVersion)
        {
            throw new FormatException($"result.cniVersion is '{version}' but the configuration asked for {CniNetwork.SpecVersion}");
        }

        var interfaces = new List<CniInterface>();
        if (Json.OptionalArray(json, "interfaces", "result") is { } interfaceArray)
        {
            for (var i = 0; i < interfaceArray.Count; i++)
            {
                var path = $"result.interfaces[{i}]";
                var entry = interfaceArray[i] as JsonObject ?? throw new FormatException($"{path} is not an object");
                interfaces.Add(new CniInterface(
                    Json.RequiredString(entry, "name", path),
                    Json.OptionalString(entry, "mac", path),
                    Json.OptionalString(entry, "sandbox", path) is { Length: > 0 } sandbox ? sandbox : null));
            }
        }

        var ips = new List<CniIpConfig>();
        if (Json.OptionalArray(json, "ips", "result") is { } ipArray)
        {
            for (var i = 0; i < ipArray.Count; i++)
            {
                var path = $"result.ips[{i}]";
                var entry = ipArray[i] as JsonObject ?? throw new FormatException($"{path} is not an object");
                var (address, prefix) = Cidr(Json.RequiredString(entry, "address", path), $"{path}.address");
                var gateway = OptionalAddress(entry, "gateway", path);
                int? index = null;
                if (entry["interface"] is { } indexNode)
                {
                    if (indexNode is not JsonValue value || !value.TryGetValue<int>(out var n) || n < 0 || n >= interfaces.Count)
                    {
                        throw new FormatException($"{path}.interface is not an index into result.interfaces (0-{interfaces.Count - 1})");
                    }
                    index = n;
                }
                ips.Add(new CniIpConfig(address, prefix, gateway, index));
            }
        }

        var routes = new List<CniRoute>();
        if (Json.OptionalArray(json, "routes", "result") is { } routeArray)
        {
            for (var i = 0; i < routeArray.Count; i++)
            {
                var path = $"result.routes[{i}]";
                var entry = routeArray[i] as JsonObject ?? throw new FormatException($"{path} is not an object");
                var (destination, prefix) = Cidr(Json.RequiredString(entry, "dst", path), $"{path}.dst");
                routes.Add(new CniRoute(destination, prefix, OptionalAddress(entry, "gw", path)));
            }
        }

        return new CniResult(interfaces, ips, routes);
    }

    private static IPAddress? OptionalAddress(JsonObject entry, string key, string path)
    {
        if (Json.OptionalString(entry, key, path) is not { } text)
        {
            return null;
        }
        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new FormatException($"{path}.{key}: '{text}' is not an IP address");
    }

    /// <summary>An address with its prefix length, as in "10.240.0.2/24" (host bits allowed, unlike a network).</summary>
    private static (IPAddress Address, int PrefixLength) Cidr(string text, string path)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || !int.TryParse(text.AsSpan(slash + 1), out var prefix))
        {
            throw new FormatException($"{path}: '{text}' is not an address in CIDR notation");
        }
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix < 0 || prefix > bits)
        {
            throw new FormatException($"{path}: prefix length {prefix} is outside 0-{bits}");
        }
        return (address, prefix);
    }
}
