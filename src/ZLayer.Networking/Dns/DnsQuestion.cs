namespace ZLayer.Networking.Dns;

/// <summary>The one question of a query. <see cref="Type"/> may hold a type this server does not know.</summary>
public sealed record DnsQuestion(DnsName Name, DnsRecordType Type, ushort Class)
{
    public const ushort ClassIn = 1;

    public override string ToString() => $"{Name} {Type} class {Class}";
}
