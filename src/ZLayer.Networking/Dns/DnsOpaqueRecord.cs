namespace ZLayer.Networking.Dns;

/// <summary>A record of a type this server does not interpret, kept as raw data (seen in upstream answers).</summary>
public sealed record DnsOpaqueRecord(DnsName Name, uint Ttl, DnsRecordType RecordType, ushort Class, byte[] Data) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => RecordType;

    internal override void WriteData(DnsMessageWriter writer) => writer.WriteBytes(Data);
}
