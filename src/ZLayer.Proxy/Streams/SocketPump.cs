using System.Buffers;
using System.Net.Sockets;

namespace ZLayer.Proxy.Streams;

/// <summary>
/// One direction of a TCP relay. At end of stream it shuts down only the write side of the
/// other socket (half-close), so the opposite direction keeps flowing until it ends too.
/// </summary>
internal static class SocketPump
{
    public static async Task<long> RunAsync(Socket from, Socket to, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return total;
                }

                var offset = 0;
                while (offset < read)
                {
                    offset += await to.SendAsync(buffer.AsMemory(offset, read - offset), SocketFlags.None, token);
                }

                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
