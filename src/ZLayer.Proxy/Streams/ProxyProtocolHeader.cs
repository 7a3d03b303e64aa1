using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ZLayer.Spec.Model;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// The PROXY protocol header (HAProxy's specification, versions 1 and 2) that tells a stream
/// backend the client's address and the address it connected to, before any client byte.
/// </summary>
public static class ProxyProtocolHeader
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] Build(ProxyProtocolVersion version, IPEndPoint client, IPEndPoint local)
    {
        var source = Normalise(client);
        var destination = Normalise(local);
        var sameFamily = source.AddressFamily == destination.AddressFamily;
        return version == ProxyProtocolVersion.V2 ? V2(source, destination, sameFamily) : V1(source, destination, sameFamily);
    }

    private static byte[] V1(IPEndPoint source, IPEndPoint destination, bool sameFamily)
    {
        if (!sameFamily)
        {
            return Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n");
        }

        var family = source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes($"PROXY {family} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n");
    }

    private static byte[] V2(IPEndPoint source, IPEndPoint destination, bool sameFamily)
    {
        var v4 = source.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = !sameFamily ? 0 : v4 ? 12 : 36;
        var header = new byte[16 + addressLength];
        V2Signature.CopyTo(header, 0);
        // Version 2 with PROXY command, or LOCAL when the families differ and no address block fits.
        header[12] = sameFamily ? (byte)0x21 : (byte)0x20;
        header[13] = !sameFamily ? (byte)0x00 : v4 ? (byte)0x11 : (byte)0x21;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)addressLength);
        if (sameFamily)
        {
            var size = v4 ? 4 : 16;
            source.Address.TryWriteBytes(header.AsSpan(16, size), out _);
            destination.Address.TryWriteBytes(header.AsSpan(16 + size, size), out _);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * size)), (ushort)source.Port);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * size)), (ushort)destination.Port);
        }

        return header;
    }

    private static IPEndPoint Normalise(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
