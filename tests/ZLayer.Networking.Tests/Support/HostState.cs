using System.Net;

namespace ZLayer.Networking.Tests.Support;

/// <summary>What the host holds for a container, read the way an operator would: ip link, the IPAM store, iptables.</summary>
internal static class HostState
{
    public static async Task<bool> LinkExistsAsync(string name) =>
        (await Shell.RunAsync("ip", "link", "show", "dev", name)).ExitCode == 0;

    /// <summary>Interfaces enslaved to the bridge: the host ends of the attached replicas' veth pairs.</summary>
    public static async Task<string> BridgePortsAsync(string bridge) =>
        (await Shell.RunAsync("ip", "-o", "link", "show", "master", bridge)).Stdout.Trim();

    /// <summary>host-local's reservation files of the network: one per address, holding the container id.</summary>
    public static IReadOnlyList<string> Reservations(string ipamDirectory, string network)
    {
        var directory = Path.Combine(ipamDirectory, network);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        return Directory.GetFiles(directory)
            .Where(f => IPAddress.TryParse(Path.GetFileName(f), out _))
            .Select(f => $"{Path.GetFileName(f)}: {File.ReadAllText(f).Replace("\r\n", " ").Trim()}")
            .ToList();
    }

    /// <summary>nat rules that name the container (portmap's DNAT, bridge's masquerade) — the plugins tag theirs with its id.</summary>
    public static async Task<IReadOnlyList<string>> NatRulesForAsync(string containerId)
    {
        var rules = await Shell.OutputAsync("iptables", "-w", "-t", "nat", "-S");
        return rules.Split('\n').Where(line => line.Contains($"id: \\\"{containerId}\\\"")).ToList();
    }

    /// <summary>The nat table's chain names (-N lines): per-container chains have no comment to find them by.</summary>
    public static async Task<IReadOnlySet<string>> NatChainsAsync()
    {
        var rules = await Shell.OutputAsync("iptables", "-w", "-t", "nat", "-S");
        return rules.Split('\n').Where(l => l.StartsWith("-N ", StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToHashSet();
    }

    /// <summary>portmap creates these once per host and keeps them; they are not per container.</summary>
    public static readonly IReadOnlySet<string> SharedPortmapChains =
        new HashSet<string> { "CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK" };

    /// <summary>An address of this host that is not loopback and not on a test bridge, to reach published ports from the host "from outside".</summary>
    public static async Task<IPAddress?> ExternalAddressAsync()
    {
        var (code, route, _) = await Shell.RunAsync("ip", "-4", "route", "get", "1.1.1.1");
        if (code != 0)
        {
            return null;
        }
        var words = route.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, "src");
        return at >= 0 && at + 1 < words.Length && IPAddress.TryParse(words[at + 1], out var address) && !IPAddress.IsLoopback(address)
            ? address
            : null;
    }
}
