using System.Net;
using System.Net.Sockets;

namespace ZLayer.Networking.Dns;

/// <summary>A resource record of class IN with the data this server writes and reads.</summary>
public abstract record DnsRecord(DnsName Name, uint Ttl)
{
    public abstract DnsRecordType Type { get; }

    internal abstract void WriteData(DnsMessageWriter writer);
}

/// <summary>An A or AAAA record, by the address's family.</summary>
public sealed record DnsAddressRecord(DnsName Name, uint Ttl, IPAddress Address) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => Address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;

    internal override void WriteData(DnsMessageWriter writer) => writer.WriteAddress(Address);
}

/// <summary>An SRV record (RFC 2782).</summary>
public sealed record DnsSrvRecord(DnsName Name, uint Ttl, ushort Priority, ushort Weight, ushort Port, DnsName Target) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.Srv;

    internal override void WriteData(DnsMessageWriter writer)
    {
        writer.WriteUInt16(Priority);
        writer.WriteUInt16(Weight);
        writer.WriteUInt16(Port);

        // RFC 2782 forbids compressing the target.
        writer.WriteName(Target, compress: false);
    }
}

/// <summary>An SOA record; in a negative answer its <see cref="Minimum"/> bounds how long the answer is cached (RFC 2308).</summary>
public sealed record DnsSoaRecord(DnsName Name, uint Ttl, DnsName PrimaryServer, DnsName Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum)
    : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.Soa;

    internal override void WriteData(DnsMessageWriter writer)
    {
        writer.WriteName(PrimaryServer, compress: true);
        writer.WriteName(Mailbox, compress: true);
        writer.WriteUInt32(Serial);
        writer.WriteUInt32(Refresh);
        writer.WriteUInt32(Retry);
        writer.WriteUInt32(Expire);
        writer.WriteUInt32(Minimum);
    }
}

/// <summary>A record of a type this server does not interpret, kept as raw data (seen in upstream answers).</summary>
public sealed record DnsOpaqueRecord(DnsName Name, uint Ttl, DnsRecordType RecordType, ushort Class, byte[] Data) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => RecordType;

    internal override void WriteData(DnsMessageWriter writer) => writer.WriteBytes(Data);
}
