namespace ZLayer.Networking.Dns;

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
