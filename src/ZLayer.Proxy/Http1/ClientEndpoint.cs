using System.Net;
using System.Text;

namespace ZLayer.Proxy.Http1;

/// <summary>The client side of one connection, formatted once for the forwarding headers of all its requests.</summary>
internal sealed class ClientEndpoint
{
    public ClientEndpoint(EndPoint? remote, EndPoint? local)
    {
        var address = (remote as IPEndPoint)?.Address;
        var text = address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        Address = Encoding.ASCII.GetBytes(text);
        ForNode = Encoding.ASCII.GetBytes(text.Contains(':', StringComparison.Ordinal) ? $"\"[{text}]\"" : text);
        LocalAddress = (local as IPEndPoint)?.Address;
    }

    /// <summary>The client address for X-Forwarded-For.</summary>
    public byte[] Address { get; }

    /// <summary>The client address as a Forwarded "for" node (IPv6 quoted and bracketed).</summary>
    public byte[] ForNode { get; }

    public IPAddress? LocalAddress { get; }
}
