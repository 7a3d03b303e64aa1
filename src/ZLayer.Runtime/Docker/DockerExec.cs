using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Exec;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Runs a command in a container: POST /containers/{id}/exec makes the exec, starting it hijacks
/// a connection of its own (<see cref="DockerEngine.HijackAsync"/>) on which standard input is
/// written and then half-closed, so the command sees its end, and the output comes back
/// multiplexed (raw with a TTY). The exit code is asked for afterwards: the engine records it a
/// moment after the output ends. Its steps serve interactive sessions too (<see cref="DockerExecSession"/>).
/// </summary>
internal static class DockerExec
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan ExitCodeWait = TimeSpan.FromSeconds(10);
    private static readonly Version ConsoleSizeApiVersion = new(1, 42);

    public static async Task<ExecResult> RunAsync(DockerEngine engine, string containerId, string replicaId, IReadOnlyList<string> command, ExecOptions options, CancellationToken ct)
    {
        var operation = OperationName(replicaId);
        var terminal = new ExecSessionOptions(options.Tty);
        var execId = await CreateAsync(engine, containerId, command, terminal, attachStdin: options.Stdin is not null, operation, ct).ConfigureAwait(false);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.Timeout);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        try
        {
            using var socket = await StartAsync(engine, execId, terminal, operation, limit.Token).ConfigureAwait(false);
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

        var exitCode = await ExitCodeAsync(engine, execId, operation, ct).ConfigureAwait(false);
        return new ExecResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static string OperationName(string replicaId) => $"exec in replica {replicaId}";

    /// <summary>
    /// Makes the exec and returns its id. With a TTY the command gets TERM=xterm, as a terminal
    /// it is shown on would give it, and its starting size where the engine takes one (API 1.42+).
    /// </summary>
    public static async Task<string> CreateAsync(DockerEngine engine, string containerId, IReadOnlyList<string> command, ExecSessionOptions terminal, bool attachStdin, string operation, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["AttachStdin"] = attachStdin,
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = terminal.Tty,
            ["Cmd"] = new JsonArray([.. command.Select(c => (JsonNode?)c)]),
        };
        if (terminal.Tty)
        {
            body["Env"] = new JsonArray("TERM=xterm");
            if (TakesConsoleSize(engine))
            {
                body["ConsoleSize"] = new JsonArray(terminal.Rows, terminal.Columns);
            }
        }

        var created = await engine.SendAsync(HttpMethod.Post, $"/containers/{containerId}/exec", body, operation, ct).ConfigureAwait(false);
        return created.Body?["Id"]?.GetValue<string>() ?? throw new RuntimeException($"{operation}: the engine returned no exec id");
    }

    /// <summary>Whether the exec's starting terminal size can be given before it runs; older Docker engines size it only once it runs.</summary>
    public static bool TakesConsoleSize(DockerEngine engine) => engine.IsPodman || engine.ApiVersion >= ConsoleSizeApiVersion;

    /// <summary>
    /// Starts the exec on a hijacked connection: input goes up it, output comes down. Podman takes
    /// the terminal's starting size here (h, w) whatever the API version; Docker ignores them.
    /// </summary>
    public static Task<Socket> StartAsync(DockerEngine engine, string execId, ExecSessionOptions terminal, string operation, CancellationToken ct)
    {
        var body = new JsonObject { ["Detach"] = false, ["Tty"] = terminal.Tty };
        if (terminal.Tty)
        {
            body["h"] = terminal.Rows;
            body["w"] = terminal.Columns;
        }

        return engine.HijackAsync($"/exec/{execId}/start", body, operation, ct);
    }

    /// <summary>The exit code, once the output has ended: the engine records it a moment later.</summary>
    public static async Task<int> ExitCodeAsync(DockerEngine engine, string execId, string operation, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ExitCodeWait;
        while (true)
        {
            var inspect = await InspectAsync(engine, execId, operation, ct).ConfigureAwait(false);
            if (inspect?["Running"]?.GetValue<bool>() is false && inspect["ExitCode"] is JsonValue code)
            {
                return code.GetValue<int>();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new RuntimeException($"{operation}: the engine reported no exit code within {ExitCodeWait.TotalSeconds:0} s of the output ending");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The engine's view of the exec (Running, ExitCode, Pid).</summary>
    public static async Task<JsonNode?> InspectAsync(DockerEngine engine, string execId, string operation, CancellationToken ct) =>
        (await engine.SendAsync(HttpMethod.Get, $"/exec/{execId}/json", null, operation, ct).ConfigureAwait(false)).Body;
}
