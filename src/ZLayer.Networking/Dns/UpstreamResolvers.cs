using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>
/// The host's resolvers, from resolv.conf. Loopback ones (systemd-resolved's 127.0.0.53, a local
/// dnsmasq) are skipped: containers reach the node's DNS through the bridge, from where the
/// host's loopback is not the same machine, and forwarding to a stub on loopback that may itself
/// forward to us would loop.
/// </summary>
public static class UpstreamResolvers
{
    public const string DefaultPath = "/etc/resolv.conf";
    public const int Port = 53;

    public static IReadOnlyList<IPEndPoint> FromResolvConf(string path = DefaultPath)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        return Parse(File.ReadAllLines(path));
    }

    public static IReadOnlyList<IPEndPoint> Parse(IEnumerable<string> lines)
    {
        var upstreams = new List<IPEndPoint>();
        foreach (var line in lines)
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["nameserver", var text, ..] && IPAddress.TryParse(text, out var address) &&
                !IPAddress.IsLoopback(address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
            {
                var endpoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, Port);
                if (!upstreams.Contains(endpoint))
                {
                    upstreams.Add(endpoint);
                }
            }
        }

        return upstreams;
    }
}
