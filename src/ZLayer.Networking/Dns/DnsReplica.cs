using System.Net;
using System.Net.Sockets;

namespace ZLayer.Networking.Dns;

/// <summary>
/// A healthy replica: its index (<c>n</c> of <c>&lt;deployment&gt;.&lt;service&gt;.&lt;n&gt;</c>), its
/// <c>replica_groups</c> role when it has one other than the default, and its addresses.
/// </summary>
public sealed record DnsReplica(int Index, string? Role, IPAddress? IPv4, IPAddress? IPv6)
{
    internal IEnumerable<IPAddress> Addresses(DnsRecordType type) => type switch
    {
        DnsRecordType.A => IPv4 is null ? [] : [IPv4],
        DnsRecordType.Aaaa => IPv6 is null ? [] : [IPv6],
        DnsRecordType.Any => new[] { IPv4, IPv6 }.OfType<IPAddress>(),
        _ => [],
    };

    internal void Validate(string where)
    {
        if (Index < 1)
        {
            throw new ArgumentException($"{where}: replica index {Index} must be 1 or more");
        }

        if (IPv4 is { AddressFamily: not AddressFamily.InterNetwork } || IPv6 is { AddressFamily: not AddressFamily.InterNetworkV6 })
        {
            throw new ArgumentException($"{where}: replica {Index} has an address of the wrong family ({IPv4} / {IPv6})");
        }
    }
}
