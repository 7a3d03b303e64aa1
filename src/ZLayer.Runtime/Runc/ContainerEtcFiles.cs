using System.Net;
using System.Text;

namespace ZLayer.Runtime.Runc;

/// <summary>
/// The /etc/hosts, /etc/hostname and /etc/resolv.conf a container sees, written by the runtime and
/// bind-mounted read-only over the image's, as Docker does: the image's own copies would name the
/// build machine, not this replica.
/// </summary>
internal static class ContainerEtcFiles
{
    public static (string Hosts, string Hostname, string ResolvConf) Write(
        ContainerPaths paths, string hostname, IPAddress? address, IReadOnlyList<string> extraHosts, IReadOnlyList<string> dnsServers, NodeResolver? node, string hostResolvConf = "/etc/resolv.conf")
    {
        Directory.CreateDirectory(paths.Etc);
        var hosts = new StringBuilder()
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (address is not null)
        {
            hosts.Append(address).Append('\t').Append(hostname).Append('\n');
        }

        foreach (var entry in extraHosts)
        {
            // The spec's form is "name:address" (Docker's --add-host); an IPv6 address has colons of its own.
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IPAddress.TryParse(entry[(colon + 1)..].Trim('[', ']'), out var ip))
            {
                throw new RuntimeException($"container {paths.Id}: extra_hosts entry '{entry}' is not name:address");
            }

            hosts.Append(ip).Append('\t').Append(entry[..colon]).Append('\n');
        }

        var hostsPath = Path.Combine(paths.Etc, "hosts");
        var hostnamePath = Path.Combine(paths.Etc, "hostname");
        var resolvPath = Path.Combine(paths.Etc, "resolv.conf");
        File.WriteAllText(hostsPath, hosts.ToString());
        File.WriteAllText(hostnamePath, hostname + "\n");
        File.WriteAllText(resolvPath, ResolvConf(dnsServers, node, hostResolvConf));
        return (hostsPath, hostnamePath, resolvPath);
    }

    /// <summary>
    /// The spec's servers, else the node's DNS server (which forwards other names to the host's
    /// resolvers), else the host's; a loopback server (a local stub resolver) is dropped,
    /// because inside the container's network namespace it would be the container itself. The
    /// node's search domains come before the host's.
    /// </summary>
    internal static string ResolvConf(IReadOnlyList<string> dnsServers, NodeResolver? node, string hostResolvConf)
    {
        var host = File.Exists(hostResolvConf) ? File.ReadAllLines(hostResolvConf) : [];
        var text = new StringBuilder();
        var servers = dnsServers.Count > 0
            ? dnsServers
            : node is not null ? node.Nameservers
            : host.Select(l => l.Trim()).Where(l => l.StartsWith("nameserver", StringComparison.Ordinal))
                .Select(l => l["nameserver".Length..].Trim())
                .Where(s => !IPAddress.TryParse(s, out var ip) || !IPAddress.IsLoopback(ip))
                .ToList();
        foreach (var server in servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        var search = (node?.Search ?? [])
            .Concat(host.Select(l => l.Trim()).Where(l => l.StartsWith("search", StringComparison.Ordinal)).SelectMany(l => l["search".Length..].Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (search.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', search).Append('\n');
        }

        foreach (var line in host.Select(l => l.Trim()).Where(l => l.StartsWith("options", StringComparison.Ordinal)))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
