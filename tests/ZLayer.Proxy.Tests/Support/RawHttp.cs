using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>A raw TCP client for sending exactly the bytes a test wants and reading one response.</summary>
internal sealed class RawHttp(Socket socket) : IDisposable
{
    public Socket Socket { get; } = socket;

    public static async Task<RawHttp> ConnectAsync(int port, IPAddress? address = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(address ?? IPAddress.Loopback, port));
        return new RawHttp(socket);
    }

    public Task SendAsync(string text) => Socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    /// <summary>Reads one response: headers, then a Content-Length body or chunks up to the terminating chunk.</summary>
    public async Task<string> ReadResponseAsync()
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!Complete(text.ToString()))
        {
            var read = await Socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    /// <summary>Reads until <paramref name="done"/> holds for everything read so far, or the peer closes.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> done)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (!done(text.ToString()))
            {
                var read = await Socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset ends the stream like a close does; what arrived before it is the answer.
        }

        return text.ToString();
    }

    /// <summary>Reads everything until the peer closes the connection.</summary>
    public Task<string> ReadToCloseAsync() => ReadUntilAsync(_ => false);

    public void Dispose() => Socket.Dispose();

    private static bool Complete(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = text[..end];
        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            return text.Length - end - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return !head.Contains("chunked", StringComparison.OrdinalIgnoreCase) || text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }
}
