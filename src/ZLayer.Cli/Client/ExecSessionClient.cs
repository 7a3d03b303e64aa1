using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ZLayer.Cli.Terminal;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>
/// The client end of an interactive exec (<c>zlayer exec -i/-t</c>): this terminal's keys (or
/// piped input) go up, the command's output comes down to stdout and stderr, resizes follow the
/// window, and the command's exit code becomes this process's.
/// </summary>
internal static class ExecSessionClient
{
    public static async Task<int> RunAsync(ApiClient client, string replica, IReadOnlyList<string> command, bool tty, bool interactive, CancellationToken ct)
    {
        using var socket = await client.ConnectWebSocketAsync(ApiPaths.ExecSession(replica), ct);
        using var sending = new SemaphoreSlim(1, 1);
        var (rows, columns) = tty ? RawTerminal.Size() : ((ushort)24, (ushort)80);
        await SendAsync(socket, sending, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new ExecSessionStart(command, tty, rows, columns), ClientJson.Options)), WebSocketMessageType.Text, ct);

        using var raw = tty ? RawTerminal.Enter() : null;
        using var resizes = tty && !OperatingSystem.IsWindows()
            ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal =>
            {
                var (r, c) = RawTerminal.Size();
                var resize = Encoding.UTF8.GetBytes($$"""{"type":"resize","rows":{{r}},"columns":{{c}}}""");
                _ = Task.Run(() => SendAsync(socket, sending, resize, WebSocketMessageType.Text, CancellationToken.None));
            })
            : null;

        // Reading stdin cannot be cancelled; it is left behind when the command ends.
        _ = interactive
            ? PumpInputAsync(socket, sending, ct)
            : SendAsync(socket, sending, """{"type":"eof"}"""u8.ToArray(), WebSocketMessageType.Text, ct);
        var exitCode = await ReceiveAsync(socket, ct);
        await sending.WaitAsync(ct);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        }
        catch (WebSocketException)
        {
            // The daemon has gone already; the exit code is what matters.
        }
        finally
        {
            sending.Release();
        }

        return exitCode;
    }

    private static async Task PumpInputAsync(WebSocket socket, SemaphoreSlim sending, CancellationToken ct)
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stdin.ReadAsync(buffer, ct)) > 0)
            {
                await SendAsync(socket, sending, buffer.AsMemory(0, read), WebSocketMessageType.Binary, ct);
            }

            await SendAsync(socket, sending, """{"type":"eof"}"""u8.ToArray(), WebSocketMessageType.Text, ct);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The session ended first: nothing more to send.
        }
    }

    private static async Task<int> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        using var stdout = Console.OpenStandardOutput();
        using var stderr = Console.OpenStandardError();
        using var message = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new DaemonUnreachableException($"the exec session ended without an exit code ({socket.CloseStatusDescription ?? "closed"})");
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var payload = message.GetBuffer().AsMemory(0, (int)message.Length);
                if (result.MessageType == WebSocketMessageType.Binary && payload.Length > 0)
                {
                    var target = payload.Span[0] == ExecSessionFrames.Stderr ? stderr : stdout;
                    await target.WriteAsync(payload[1..], ct);
                    await target.FlushAsync(ct);
                }
                else if (result.MessageType == WebSocketMessageType.Text)
                {
                    using var document = JsonDocument.Parse(payload);
                    if (document.RootElement.TryGetProperty("exitCode", out var code))
                    {
                        return code.GetInt32();
                    }

                    var root = document.RootElement;
                    var error = root.TryGetProperty("error", out var e) ? e.GetString() : Encoding.UTF8.GetString(payload.Span);
                    var path = root.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? $" ({p.GetString()})" : "";
                    Console.Error.WriteLine($"zlayer: {error}{path}");
                    return ExitCodes.Failure;
                }

                message.SetLength(0);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim sending, ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken ct)
    {
        await sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(data, type, true, ct);
        }
        finally
        {
            sending.Release();
        }
    }
}
