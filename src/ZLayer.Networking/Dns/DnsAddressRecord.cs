using System.Net;
using System.Net.Sockets;

namespace ZLayer.Networking.Dns;

/// <summary>An A or AAAA record, by the address's family.</summary>
public sealed record DnsAddressRecord(DnsName Name, uint Ttl, IPAddress Address) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => Address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;

    internal override void WriteData(DnsMessageWriter writer) => writer.WriteAddress(Address);
}
