using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Runs a command in a container: POST /containers/{id}/exec makes the exec, starting it hijacks
/// a connection of its own (<see cref="DockerEngine.HijackAsync"/>) on which standard input is
/// written and then half-closed, so the command sees its end, and the output comes back
/// multiplexed (raw with a TTY). The exit code is asked for afterwards: the engine records it a
/// moment after the output ends.
/// </summary>
internal static class DockerExec
{
    private static readonly TimeSpan ExitCodeWait = TimeSpan.FromSeconds(10);

    public static async Task<ExecResult> RunAsync(DockerEngine engine, string containerId, string replicaId, IReadOnlyList<string> command, ExecOptions options, CancellationToken ct)
    {
        var operation = $"exec in replica {replicaId}";
        var created = await engine.SendAsync(HttpMethod.Post, $"/containers/{containerId}/exec", new JsonObject
        {
            ["AttachStdin"] = options.Stdin is not null,
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = options.Tty,
            ["Cmd"] = new JsonArray([.. command.Select(c => (JsonNode?)c)]),
        }, operation, ct).ConfigureAwait(false);
        var execId = created.Body?["Id"]?.GetValue<string>() ?? throw new RuntimeException($"{operation}: the engine returned no exec id");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.Timeout);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        try
        {
            using var socket = await engine.HijackAsync($"/exec/{execId}/start", new JsonObject { ["Detach"] = false, ["Tty"] = options.Tty }, operation, limit.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Stdin is not null)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(options.Stdin), limit.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send);
            }

            var decoder = new Dictionary<LogStream, Decoder> { [LogStream.Stdout] = Encoding.UTF8.GetDecoder(), [LogStream.Stderr] = Encoding.UTF8.GetDecoder() };
            await foreach (var frame in DockerStreamFrames.ReadAsync(stream, options.Tty, limit.Token).ConfigureAwait(false))
            {
                var chars = new char[Encoding.UTF8.GetMaxCharCount(frame.Payload.Length)];
                var count = decoder[frame.Stream].GetChars(frame.Payload.Span, chars, flush: false);
                (frame.Stream == LogStream.Stderr ? stderr : stdout).Append(chars, 0, count);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RuntimeException($"{operation}: the command did not finish within {options.Timeout.TotalSeconds:0.#} s");
        }
        catch (IOException e)
        {
            throw new RuntimeException($"{operation}: the connection to the Docker engine broke: {e.Message}", e);
        }

        var deadline = DateTime.UtcNow + ExitCodeWait;
        while (true)
        {
            var inspect = await engine.SendAsync(HttpMethod.Get, $"/exec/{execId}/json", null, operation, ct).ConfigureAwait(false);
            if (inspect.Body?["Running"]?.GetValue<bool>() is false && inspect.Body["ExitCode"] is JsonValue code)
            {
                return new ExecResult(code.GetValue<int>(), stdout.ToString(), stderr.ToString());
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new RuntimeException($"{operation}: the engine reported no exit code within {ExitCodeWait.TotalSeconds:0} s of the output ending");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), ct).ConfigureAwait(false);
        }
    }
}
