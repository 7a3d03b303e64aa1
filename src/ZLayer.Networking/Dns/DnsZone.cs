using System.Globalization;
using System.Net;
using ZLayer.Networking.Cni;

namespace ZLayer.Networking.Dns;

/// <summary>
/// The authoritative part of the node's DNS: answers for service names from the current
/// <see cref="ServiceDirectory"/>, or null for a name that is not ours (to be forwarded).
/// <para>
/// Ours are names under <c>service.local</c> and <c>service</c> (the two spellings are one zone),
/// and a single label that names a service. Under the zone: <c>&lt;svc&gt;</c>,
/// <c>&lt;n&gt;.&lt;svc&gt;</c> (replica n), <c>&lt;role&gt;.&lt;svc&gt;</c>, the deployment-qualified
/// <c>&lt;svc&gt;.&lt;deployment&gt;</c>, <c>&lt;n&gt;.&lt;svc&gt;.&lt;deployment&gt;</c> and
/// <c>&lt;role&gt;.&lt;svc&gt;.&lt;deployment&gt;</c>, and SRV names <c>_&lt;endpoint&gt;._&lt;tcp|udp&gt;.</c>
/// before any service name, whose targets are the deployment-qualified replica names.
/// </para>
/// </summary>
public sealed class DnsZone(ServiceDirectory directory)
{
    /// <summary>Short, so clients follow replicas coming and going; also the negative-caching time.</summary>
    public const uint Ttl = 5;

    private static readonly DnsName ServiceLocal = DnsName.Parse("service.local");
    private static readonly DnsName ServiceTld = DnsName.Parse("service");
    private static readonly DnsName PrimaryServer = DnsName.Parse("ns.service.local");
    private static readonly DnsName Mailbox = DnsName.Parse("hostmaster.service.local");

    private ServiceDirectory _directory = directory;
    private long _rotation;
    private ZoneSoa? _soa;

    /// <summary>The snapshot answered from; setting it swaps in a new one atomically.</summary>
    public ServiceDirectory Directory
    {
        get => Volatile.Read(ref _directory);
        set => Volatile.Write(ref _directory, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The answer to <paramref name="question"/> from <paramref name="client"/>, or null when the name is not ours.</summary>
    public DnsAnswer? Answer(DnsQuestion question, IPAddress? client)
    {
        var directory = Directory;
        var scope = directory.DeploymentOf(client);
        var labels = question.Name.LowerLabels();
        DnsName apex;
        string[] rest;
        if (labels is [.., "service", "local"])
        {
            (apex, rest) = (ServiceLocal, labels[..^2]);
        }
        else if (labels is [.., "service"])
        {
            (apex, rest) = (ServiceTld, labels[..^1]);
        }
        else if (labels is [var bare] && directory.Find(bare, scope).Count > 0)
        {
            (apex, rest) = (ServiceLocal, labels);
        }
        else
        {
            return null;
        }

        if (question.Class is not (DnsQuestion.ClassIn or 255))
        {
            return DnsAnswer.Error(DnsResponseCode.Refused);
        }

        var soa = Soa(directory, apex);
        var node = Resolve(directory, scope, rest);
        if (node is null)
        {
            return new DnsAnswer(DnsResponseCode.NXDomain, true, [], [soa], []);
        }

        var answers = new List<DnsRecord>();
        var additionals = new List<DnsRecord>();
        var type = question.Type;
        if (rest.Length == 0 && type is DnsRecordType.Soa or DnsRecordType.Any)
        {
            answers.Add(soa with { Name = question.Name });
        }

        var start = Interlocked.Increment(ref _rotation);
        foreach (var (entry, replica) in Rotate(node.Members, start))
        {
            answers.AddRange(replica.Addresses(type).Select(a => new DnsAddressRecord(question.Name, Ttl, a)));
        }

        if (type is DnsRecordType.Srv or DnsRecordType.Any)
        {
            foreach (var (entry, replica, port) in Rotate(node.Targets, start))
            {
                var target = ServiceLocal.Prepend(ServiceDirectory.Lower(entry.Deployment)).Prepend(ServiceDirectory.Lower(entry.Service))
                    .Prepend(replica.Index.ToString(CultureInfo.InvariantCulture));
                answers.Add(new DnsSrvRecord(question.Name, Ttl, 0, 1, (ushort)port.Port, target));
                additionals.AddRange(replica.Addresses(DnsRecordType.Any).Select(a => new DnsAddressRecord(target, Ttl, a)));
            }
        }

        return answers.Count == 0
            ? new DnsAnswer(DnsResponseCode.NoError, true, [], [soa], [])
            : new DnsAnswer(DnsResponseCode.NoError, true, answers, [], additionals);
    }

    /// <summary>The zone's SOA for this snapshot (its serial), made once per snapshot rather than per query.</summary>
    private DnsSoaRecord Soa(ServiceDirectory directory, DnsName apex)
    {
        var soa = Volatile.Read(ref _soa);
        if (soa is null || !ReferenceEquals(soa.Directory, directory))
        {
            DnsSoaRecord Make(DnsName name) => new(name, Ttl, PrimaryServer, Mailbox, directory.Serial, 3600, 600, 86400, Ttl);
            soa = new ZoneSoa(directory, Make(ServiceLocal), Make(ServiceTld));
            Volatile.Write(ref _soa, soa);
        }

        return ReferenceEquals(apex, ServiceLocal) ? soa.Local : soa.Tld;
    }

    private static IEnumerable<T> Rotate<T>(IReadOnlyList<T> items, long start)
    {
        var offset = items.Count == 0 ? 0 : (int)(start % items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            yield return items[(offset + i) % items.Count];
        }
    }

    /// <summary>The records a name owns; null when the name does not exist in the zone.</summary>
    private static ZoneNode? Resolve(ServiceDirectory directory, string? scope, string[] rest)
    {
        if (rest.Length == 0)
        {
            return ZoneNode.EmptyNonTerminal;
        }

        if (rest[0].StartsWith('_'))
        {
            return ResolveSrv(directory, scope, rest);
        }

        if (rest.Length >= 2 && Select(Services(directory, scope, rest[1..]), rest[0]) is { Count: > 0 } members)
        {
            return new ZoneNode(members, []);
        }

        var services = Services(directory, scope, rest);
        return services.Count == 0 ? null : new ZoneNode([.. services.SelectMany(s => s.Replicas.Select(r => (s, r)))], []);
    }

    private static ZoneNode? ResolveSrv(ServiceDirectory directory, string? scope, string[] rest)
    {
        if (rest is [var endpoint, "_tcp" or "_udp", .. var path])
        {
            var protocol = rest[1] == "_tcp" ? PortProtocol.Tcp : PortProtocol.Udp;
            var targets = Services(directory, scope, path)
                .SelectMany(s => s.Ports.Where(p => p.Protocol == protocol && "_" + ServiceDirectory.Lower(p.Endpoint) == endpoint)
                    .SelectMany(p => s.Replicas.Select(r => (s, r, p))))
                .ToList();
            var exists = Services(directory, scope, path).Any(s => s.Ports.Any(p => p.Protocol == protocol && "_" + ServiceDirectory.Lower(p.Endpoint) == endpoint));
            return exists ? new ZoneNode([], targets) : null;
        }

        if (rest is ["_tcp" or "_udp", .. var servicePath])
        {
            var protocol = rest[0] == "_tcp" ? PortProtocol.Tcp : PortProtocol.Udp;
            return Services(directory, scope, servicePath).Any(s => s.Ports.Any(p => p.Protocol == protocol)) ? ZoneNode.EmptyNonTerminal : null;
        }

        return null;
    }

    /// <summary>Services named by <c>&lt;svc&gt;</c> (within the client's scope) or <c>&lt;svc&gt;.&lt;deployment&gt;</c>.</summary>
    private static IReadOnlyList<DnsServiceEntry> Services(ServiceDirectory directory, string? scope, string[] path) => path switch
    {
        [var service] => directory.Find(service, scope),
        [var service, var deployment] => directory.FindQualified(deployment, service) is { } entry ? [entry] : [],
        _ => [],
    };

    /// <summary>The replicas of <paramref name="services"/> that <paramref name="label"/> names: by index when a number, else by role.</summary>
    private static List<(DnsServiceEntry, DnsReplica)> Select(IReadOnlyList<DnsServiceEntry> services, string label)
    {
        var isIndex = int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var index) &&
            index.ToString(CultureInfo.InvariantCulture) == label;
        return [.. services.SelectMany(s => s.Replicas
            .Where(r => isIndex ? r.Index == index : r.Role is { } role && ServiceDirectory.Lower(role) == label)
            .Select(r => (s, r)))];
    }

    private sealed record ZoneSoa(ServiceDirectory Directory, DnsSoaRecord Local, DnsSoaRecord Tld);

    private sealed record ZoneNode(
        IReadOnlyList<(DnsServiceEntry Entry, DnsReplica Replica)> Members,
        IReadOnlyList<(DnsServiceEntry Entry, DnsReplica Replica, DnsServicePort Port)> Targets)
    {
        public static readonly ZoneNode EmptyNonTerminal = new([], []);
    }
}
