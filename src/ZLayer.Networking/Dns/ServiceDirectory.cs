using System.Globalization;
using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>
/// An immutable snapshot of what DNS serves: per deployment and service, the healthy replicas and
/// the ports. The node builds a new one when replicas change and swaps it in whole
/// (<see cref="DnsZone.Directory"/>), so a query never sees half an update. Names are matched
/// case-insensitively; a replica's address also tells which deployment a query comes from.
/// </summary>
public sealed class ServiceDirectory
{
    public static readonly ServiceDirectory Empty = new([], 1);

    private readonly Dictionary<string, DnsServiceEntry[]> _byService;
    private readonly Dictionary<(string Deployment, string Service), DnsServiceEntry> _byDeployment;
    private readonly Dictionary<IPAddress, string> _deploymentByAddress;

    /// <param name="serial">The SOA serial; by default the time of the snapshot in Unix seconds, so it grows across restarts.</param>
    public ServiceDirectory(IEnumerable<DnsServiceEntry> services, uint? serial = null)
    {
        Serial = serial ?? (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Services = [.. services];
        _byDeployment = [];
        _deploymentByAddress = [];
        var sharedAddresses = new HashSet<IPAddress>();
        foreach (var entry in Services)
        {
            Validate(entry);
            var key = (Lower(entry.Deployment), Lower(entry.Service));
            if (!_byDeployment.TryAdd(key, entry))
            {
                throw new ArgumentException($"service '{entry.Service}' of deployment '{entry.Deployment}' is listed twice");
            }

            foreach (var replica in entry.Replicas)
            {
                foreach (var address in new[] { replica.IPv4, replica.IPv6 }.OfType<IPAddress>().Where(a => !IPAddress.IsLoopback(a)))
                {
                    if (!_deploymentByAddress.TryAdd(address, key.Item1) && _deploymentByAddress[address] != key.Item1)
                    {
                        sharedAddresses.Add(address);
                    }
                }
            }
        }

        // Process replicas share the host's addresses (and loopback is everyone's): an address that
        // is not one deployment's alone says nothing about who asks.
        foreach (var address in sharedAddresses)
        {
            _deploymentByAddress.Remove(address);
        }

        _byService = Services.GroupBy(e => Lower(e.Service)).ToDictionary(g => g.Key, g => g.ToArray());
    }

    public IReadOnlyList<DnsServiceEntry> Services { get; }

    public uint Serial { get; }

    /// <summary>
    /// The services called <paramref name="service"/> a client sees: those of its own deployment
    /// when it is a replica of one (a deployment scopes DNS), else those of every deployment.
    /// </summary>
    internal IReadOnlyList<DnsServiceEntry> Find(string service, string? clientDeployment)
    {
        if (clientDeployment is not null)
        {
            return _byDeployment.TryGetValue((clientDeployment, service), out var own) ? [own] : [];
        }

        return _byService.TryGetValue(service, out var all) ? all : [];
    }

    internal DnsServiceEntry? FindQualified(string deployment, string service) =>
        _byDeployment.TryGetValue((deployment, service), out var entry) ? entry : null;

    /// <summary>The deployment (lower case) whose replica has <paramref name="client"/>, if any.</summary>
    internal string? DeploymentOf(IPAddress? client)
    {
        if (client is null)
        {
            return null;
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        return _deploymentByAddress.GetValueOrDefault(client);
    }

    internal static string Lower(string name) => name.ToLowerInvariant();

    private static void Validate(DnsServiceEntry entry)
    {
        var where = $"deployment '{entry.Deployment}' service '{entry.Service}'";
        RequireLabel(entry.Deployment, $"deployment '{entry.Deployment}'");
        RequireLabel(entry.Service, where);
        foreach (var replica in entry.Replicas)
        {
            replica.Validate(where);
            if (replica.Role is { } role)
            {
                RequireLabel(role, $"{where} replica {replica.Index} role");
                if (int.TryParse(role, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw new ArgumentException($"{where}: role '{role}' of replica {replica.Index} is a number and would read as a replica index");
                }
            }
        }

        var duplicate = entry.Replicas.GroupBy(r => r.Index).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{where}: replica {duplicate.Key} is listed twice");
        }

        foreach (var port in entry.Ports)
        {
            RequireLabel(port.Endpoint, $"{where} endpoint");
            if (port.Endpoint.Length > DnsName.MaxLabelLength - 1 || port.Port is < 1 or > 65535)
            {
                throw new ArgumentException($"{where}: endpoint '{port.Endpoint}' needs a name of at most {DnsName.MaxLabelLength - 1} characters and a port 1-65535 (has {port.Port})");
            }
        }
    }

    private static void RequireLabel(string name, string what)
    {
        if (name.Length is 0 or > DnsName.MaxLabelLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"{what}: '{name}' is not a DNS label (1-{DnsName.MaxLabelLength} ASCII letters, digits, '-')");
        }
    }
}
