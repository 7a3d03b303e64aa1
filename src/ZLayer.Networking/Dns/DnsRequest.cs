namespace ZLayer.Networking.Dns;

/// <summary>
/// A query as read off the wire. When <see cref="Error"/> is set the query cannot be answered
/// normally and the reply carries that code; <see cref="ErrorDetail"/> says why, for logs.
/// </summary>
public sealed record DnsRequest(
    ushort Id,
    byte Opcode,
    bool RecursionDesired,
    bool CheckingDisabled,
    DnsQuestion? Question,
    ushort? EdnsPayloadSize,
    DnsResponseCode? Error = null,
    string? ErrorDetail = null)
{
    /// <summary>The smallest payload EDNS lets a client advertise; less is read as this (RFC 6891 §6.2.3).</summary>
    public const ushort MinimumPayload = 512;

    public bool HasEdns => EdnsPayloadSize is not null;

    /// <summary>The largest UDP reply the client accepts, never above <paramref name="serverLimit"/>.</summary>
    public int UdpLimit(int serverLimit) =>
        EdnsPayloadSize is { } size ? Math.Clamp(size, MinimumPayload, Math.Max(serverLimit, MinimumPayload)) : MinimumPayload;
}
