namespace ZLayer.Networking.Dns;

/// <summary>A DNS message that breaks the wire format; the message names the offending byte offset.</summary>
public sealed class DnsFormatException(string message) : Exception(message);
