using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ZLayer.Runtime.Exec;

namespace ZLayer.Server;

/// <summary>
/// Carries one exec session over a WebSocket: the command's output out as binary messages tagged
/// by stream, the client's input in, resizes and end of input as JSON text messages, and the exit
/// code last. The client going away ends the command (the session is disposed).
/// </summary>
internal static class ExecSessionBridge
{
    /// <summary>Longest text message accepted: a start message with a long command line fits many times over.</summary>
    private const int MaxTextMessage = 256 * 1024;

    private const ushort MaxTerminalSide = 10_000;

    private static readonly TimeSpan ClientCloseGrace = TimeSpan.FromSeconds(5);

    public sealed record Start(IReadOnlyList<string>? Command, ExecSessionOptions? Options, (string Message, string? Path)? Error);

    public static async Task<Start> ReadStartAsync(WebSocket socket, CancellationToken ct)
    {
        var (type, payload) = await ReceiveAsync(socket, ct);
        if (type != WebSocketMessageType.Text || payload is null)
        {
            return Failed("the first message must be a JSON text message: {\"command\": [...], \"tty\": true, \"rows\": 24, \"columns\": 80}", "$");
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Failed("the start message must be a JSON object", "$");
            }

            if (!root.TryGetProperty("command", out var commandNode) || commandNode.ValueKind != JsonValueKind.Array || commandNode.GetArrayLength() == 0
                || commandNode.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String || a.GetString()!.Length == 0))
            {
                return Failed("command must be a non-empty list of non-empty strings, e.g. [\"sh\"]", "$.command");
            }

            var tty = false;
            if (root.TryGetProperty("tty", out var ttyNode))
            {
                if (ttyNode.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return Failed("tty must be true or false", "$.tty");
                }

                tty = ttyNode.GetBoolean();
            }

            if (!TerminalSide(root, "rows", 24, out var rows) || !TerminalSide(root, "columns", 80, out var columns))
            {
                var field = TerminalSide(root, "rows", 24, out _) ? "columns" : "rows";
                return Failed($"{field} must be a whole number from 1 to {MaxTerminalSide}", "$." + field);
            }

            return new Start([.. commandNode.EnumerateArray().Select(a => a.GetString()!)], new ExecSessionOptions(tty, rows, columns), null);
        }
        catch (JsonException ex)
        {
            return Failed($"the start message is not JSON: {ex.Message}", "$");
        }
    }

    public static async Task FailAsync(WebSocket socket, string message, string? path, CancellationToken ct)
    {
        await SendJsonAsync(socket, new Dictionary<string, string?> { ["error"] = message, ["path"] = path }, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "exec refused", ct);
    }

    public static async Task RunAsync(WebSocket socket, ExecSession session, CancellationToken ct)
    {
        // Sends are serialised: WebSocket allows one send at a time.
        using var sending = new SemaphoreSlim(1, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var input = PumpInputAsync(socket, session, stop.Token);
        var output = PumpOutputAsync(socket, session.Output, ExecSessionFrames.Stdout, sending, stop.Token);
        var error = session.Error is { } stderr ? PumpOutputAsync(socket, stderr, ExecSessionFrames.Stderr, sending, stop.Token) : Task.CompletedTask;

        var finished = Task.WhenAll(output, error);
        if (await Task.WhenAny(finished, input) == input && !finished.IsCompleted)
        {
            // The client left (or broke the protocol) while the command runs: end it.
            await stop.CancelAsync();
            return;
        }

        await finished;
        var exitCode = await session.WaitAsync(ct);
        await SendJsonAsync(socket, new Dictionary<string, int> { ["exitCode"] = exitCode }, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "exited", ct);

        // The input pump owns receiving (cancelling a receive would abort the socket): it ends at
        // the client's close; a client that never closes is dropped after a grace period.
        await input.WaitAsync(ClientCloseGrace, ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private static async Task PumpOutputAsync(WebSocket socket, Stream source, byte stream, SemaphoreSlim sending, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            buffer[0] = stream;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(1, buffer.Length - 1), ct)) > 0)
            {
                await sending.WaitAsync(ct);
                try
                {
                    await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, true, ct);
                }
                finally
                {
                    sending.Release();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Client to command until the client closes; returns when it does (or breaks the protocol).</summary>
    private static async Task PumpInputAsync(WebSocket socket, ExecSession session, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var (type, payload) = await ReceiveAsync(socket, ct);
                switch (type)
                {
                    case WebSocketMessageType.Close:
                        return;
                    case WebSocketMessageType.Binary when payload is not null:
                        await session.Input.WriteAsync(payload, ct);
                        await session.Input.FlushAsync(ct);
                        break;
                    case WebSocketMessageType.Text when payload is not null:
                        if (!await ControlAsync(session, payload, ct))
                        {
                            return;
                        }

                        break;
                    default:
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client is gone, or the command closed its input: either way there is no more to pass on.
        }
    }

    private static async Task<bool> ControlAsync(ExecSession session, byte[] payload, CancellationToken ct)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            switch (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case "resize" when TerminalSide(root, "rows", 0, out var rows) && TerminalSide(root, "columns", 0, out var columns):
                    session.Resize(rows, columns);
                    return true;
                case "eof":
                    await session.CloseInputAsync(ct);
                    return true;
                default:
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TerminalSide(JsonElement root, string name, ushort fallback, out ushort value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var node))
        {
            return fallback > 0;
        }

        if (node.ValueKind != JsonValueKind.Number || !node.TryGetUInt16(out value) || value is 0 or > MaxTerminalSide)
        {
            return false;
        }

        return true;
    }

    /// <summary>One whole message; null payload for a close, or a text message over the limit.</summary>
    private static async Task<(WebSocketMessageType Type, byte[]? Payload)> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        using var message = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (WebSocketMessageType.Close, null);
                }

                message.Write(buffer, 0, result.Count);
                if (result.MessageType == WebSocketMessageType.Text && message.Length > MaxTextMessage)
                {
                    return (WebSocketMessageType.Text, null);
                }

                if (result.EndOfMessage)
                {
                    return (result.MessageType, message.ToArray());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task SendJsonAsync<T>(WebSocket socket, T value, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)), WebSocketMessageType.Text, true, ct);

    private static Start Failed(string message, string path) => new(null, null, (message, path));
}
