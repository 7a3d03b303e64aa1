namespace ZLayer.Networking.Dns;

/// <summary>
/// Response codes (RFC 1035 §4.1.1, RFC 6891 §9). Values above 15 need the EDNS extended-rcode
/// bits, so they can only be sent to a client that asked with EDNS.
/// </summary>
public enum DnsResponseCode
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    BadVers = 16,
}
