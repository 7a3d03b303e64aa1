using System.Net;
using System.Net.Sockets;
using System.Text;
using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Tests.Support;

/// <summary>
/// A backend on a raw socket that answers each request head with exactly the bytes a test
/// scripts, for framings and failures a real server would not produce on demand. After the
/// answer it keeps the connection or closes it, as the script says.
/// </summary>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly Socket listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<string, (string Response, bool Close)> script;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Socket> accepted = [];
    private readonly Task accepting;
    private int connections;
    private int closedByProxy;

    private ScriptedBackend(Func<string, (string Response, bool Close)> script)
    {
        this.script = script;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndPoint!).Port;

    public int Connections => Volatile.Read(ref connections);

    /// <summary>Connections the proxy closed (end of stream seen while waiting for a request).</summary>
    public int ClosedByProxy => Volatile.Read(ref closedByProxy);

    public BackendAddress Address() => new("127.0.0.1", Port, "scripted");

    /// <summary>Starts a backend; <paramref name="script"/> gets each request head and gives the raw answer.</summary>
    public static ScriptedBackend Start(Func<string, (string Response, bool Close)> script) => new(script);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }

        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while accepting: the expected way out.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptAsync(stop.Token);
            Interlocked.Increment(ref connections);
            lock (accepted)
            {
                accepted.Add(socket);
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    if (read == 0)
                    {
                        Interlocked.Increment(ref closedByProxy);
                        return;
                    }

                    pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                var head = pending.ToString(0, end);
                pending.Remove(0, end + 4);
                var (response, close) = script(head);
                await socket.SendAsync(Encoding.Latin1.GetBytes(response), SocketFlags.None, stop.Token);
                if (close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy or the test closed the connection.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
