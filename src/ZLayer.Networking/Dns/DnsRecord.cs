namespace ZLayer.Networking.Dns;

/// <summary>A resource record of class IN with the data this server writes and reads.</summary>
public abstract record DnsRecord(DnsName Name, uint Ttl)
{
    public abstract DnsRecordType Type { get; }

    internal abstract void WriteData(DnsMessageWriter writer);
}
