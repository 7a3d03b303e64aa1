using System.Buffers.Binary;
using System.Net.Sockets;

namespace ZLayer.Networking.Dns;

/// <summary>DNS over TCP frames each message with a two-byte big-endian length (RFC 1035 §4.2.2, RFC 7766).</summary>
public static class DnsTcpFraming
{
    public const int MaxMessage = ushort.MaxValue;

    /// <summary>Reads one message into <paramref name="buffer"/> (at least 65535 bytes); returns its length, or -1 when the peer closed between messages.</summary>
    public static async ValueTask<int> ReadAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 2), allowEnd: true, ct).ConfigureAwait(false))
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        await ReadExactlyAsync(socket, buffer.AsMemory(0, length), allowEnd: false, ct).ConfigureAwait(false);
        return length;
    }

    public static async ValueTask WriteAsync(Socket socket, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsMemory(2));
        var sent = 0;
        while (sent < framed.Length)
        {
            sent += await socket.SendAsync(framed.AsMemory(sent), SocketFlags.None, ct).ConfigureAwait(false);
        }
    }

    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> target, bool allowEnd, CancellationToken ct)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = await socket.ReceiveAsync(target[read..], SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (allowEnd && read == 0)
                {
                    return false;
                }

                throw new DnsFormatException($"the connection closed after {read} of {target.Length} bytes of a message");
            }

            read += n;
        }

        return true;
    }
}
