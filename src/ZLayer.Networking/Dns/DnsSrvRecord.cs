namespace ZLayer.Networking.Dns;

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
