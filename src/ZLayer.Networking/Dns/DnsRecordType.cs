namespace ZLayer.Networking.Dns;

/// <summary>The record types this server answers or recognises (RFC 1035, 3596, 2782, 6891).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    MX = 15,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Opt = 41,
    Any = 255,
}
