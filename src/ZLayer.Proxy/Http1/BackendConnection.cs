using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZLayer.Proxy.Http;

namespace ZLayer.Proxy.Http1;

/// <summary>
/// One keep-alive connection to a backend with its receive buffer. Bytes between
/// <see cref="Start"/> and <see cref="End"/> are received and not yet relayed.
/// </summary>
internal sealed class BackendConnection : IDisposable
{
    public const int BufferSize = 16 * 1024;

    /// <summary>The largest response head relayed; a larger one is a 502.</summary>
    public const int MaxHeadSize = 64 * 1024;

    private BackendConnection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(BufferSize);

    public int Start { get; set; }

    public int End { get; private set; }

    public ReadOnlySpan<byte> Received => Buffer.AsSpan(Start, End - Start);

    /// <summary>Whether it came from the pool, and so may have been closed by the backend while idle.</summary>
    public bool Reused { get; set; }

    public long IdleSince { get; set; }

    /// <summary>Empties the buffer before the connection idles, so "nothing received yet" reads as <see cref="End"/> == 0.</summary>
    public void ResetBuffer() => Start = End = 0;

    public static async ValueTask<BackendConnection> OpenAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken token) =>
        new(await BackendSocket.ConnectAsync(endpoint, timeout, token));

    /// <summary>Receives more bytes after those buffered; false when the backend closed or an unfinished head fills <see cref="MaxHeadSize"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReceiveAsync(CancellationToken token)
    {
        if (Start == End)
        {
            Start = End = 0;
        }
        else if (End == Buffer.Length && Start > 0)
        {
            Buffer.AsSpan(Start, End - Start).CopyTo(Buffer);
            End -= Start;
            Start = 0;
        }

        if (End == Buffer.Length)
        {
            if (Buffer.Length >= MaxHeadSize)
            {
                return false;
            }

            // A response head larger than the usual buffer (many cookies): room for it, up to the limit.
            var bigger = ArrayPool<byte>.Shared.Rent(MaxHeadSize);
            Buffer.AsSpan(0, End).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = bigger;
        }

        var read = await Socket.ReceiveAsync(Buffer.AsMemory(End), SocketFlags.None, token);
        End += read;
        return read > 0;
    }

    /// <summary>Whether an idle connection still looks open: nothing to read, no error, no end of stream.</summary>
    public bool LooksOpen()
    {
        try
        {
            return !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Socket.Dispose();
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = [];
        }
    }
}
