namespace ZLayer.Networking.Dns;

/// <summary>What to reply to a question: the code and the three record sections.</summary>
public sealed record DnsAnswer(
    DnsResponseCode Code,
    bool Authoritative,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities,
    IReadOnlyList<DnsRecord> Additionals)
{
    public static DnsAnswer Error(DnsResponseCode code) => new(code, false, [], [], []);
}
