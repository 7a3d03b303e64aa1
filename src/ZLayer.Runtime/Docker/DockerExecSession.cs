using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Exec;
using ZLayer.Runtime.Process;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// An interactive exec in a Docker (or Podman) container, on the hijacked connection that started
/// it: input is written up the connection, output comes down it. A pump reads the output into
/// pipes (stdout and stderr apart unless there is a TTY) that hold at most a little; when the
/// caller stops reading, the pump stops reading the connection, and the engine then the command.
/// The engine can neither signal nor kill an exec, so disposing a running one signals its process
/// on this host, where a local engine's processes are (the exec's Pid is a host PID).
/// </summary>
internal sealed class DockerExecSession : ExecSession
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
    private static readonly PipeOptions Buffering = new(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false);

    private readonly DockerEngine _engine;
    private readonly string _execId;
    private readonly string _operation;
    private readonly Socket _connection;
    private readonly Pipe _stdout = new(Buffering);
    private readonly Pipe? _stderr;
    private readonly CancellationTokenSource _stopPump = new();
    private readonly Task _pump;

    private DockerExecSession(DockerEngine engine, string execId, string operation, Socket connection, bool tty)
    {
        _engine = engine;
        _execId = execId;
        _operation = operation;
        _connection = connection;
        Tty = tty;
        _stderr = tty ? null : new Pipe(Buffering);
        Input = new NetworkStream(connection, FileAccess.Write, ownsSocket: false);
        Output = _stdout.Reader.AsStream();
        Error = _stderr?.Reader.AsStream();
        _pump = Task.Run(PumpAsync);
    }

    public override Stream Input { get; }

    public override Stream Output { get; }

    public override Stream? Error { get; }

    public override bool Tty { get; }

    public static async Task<DockerExecSession> StartAsync(DockerEngine engine, string containerId, string replicaId, IReadOnlyList<string> command, ExecSessionOptions options, CancellationToken ct)
    {
        var operation = DockerExec.OperationName(replicaId);
        var sized = options.Tty && !DockerExec.TakesConsoleSize(engine) && await HasShellAsync(engine, containerId, operation, ct).ConfigureAwait(false)
            ? SizedFirst(command, options)
            : command;
        var execId = await DockerExec.CreateAsync(engine, containerId, sized, options, attachStdin: true, operation, ct).ConfigureAwait(false);
        var connection = await DockerExec.StartAsync(engine, execId, options, operation, ct).ConfigureAwait(false);
        var session = new DockerExecSession(engine, execId, operation, connection, options.Tty);
        if (options.Tty && !DockerExec.TakesConsoleSize(engine))
        {
            try
            {
                await session.ResizeAsync(options.Rows, options.Columns, ct).ConfigureAwait(false);
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return session;
    }

    public override void Resize(ushort rows, ushort columns)
    {
        if (Tty)
        {
            ResizeAsync(rows, columns, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public override async Task CloseInputAsync(CancellationToken ct)
    {
        if (Tty)
        {
            await Input.WriteAsync(new byte[] { 0x04 }, ct).ConfigureAwait(false);
            return;
        }

        // The engine passes the half-close on as the end of the command's standard input.
        _connection.Shutdown(SocketShutdown.Send);
    }

    public override async Task<int> WaitAsync(CancellationToken ct)
    {
        await _pump.WaitAsync(ct).ConfigureAwait(false);
        return await DockerExec.ExitCodeAsync(_engine, _execId, _operation, ct).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (!_pump.IsCompleted)
            {
                await EndCommandAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await _stopPump.CancelAsync().ConfigureAwait(false);
            _connection.Dispose();
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Input.DisposeAsync().ConfigureAwait(false);
            await Output.DisposeAsync().ConfigureAwait(false);
            if (Error is not null)
            {
                await Error.DisposeAsync().ConfigureAwait(false);
            }

            _stopPump.Dispose();
        }
    }

    /// <summary>
    /// Docker before API 1.42 makes an exec's terminal 0x0 and sizes it only once the command runs,
    /// too late for one that asks its size at once; where the container has a shell, the command
    /// is started by one that sizes the terminal first and then becomes the command (exec).
    /// </summary>
    private static IReadOnlyList<string> SizedFirst(IReadOnlyList<string> command, ExecSessionOptions options) =>
        ["/bin/sh", "-c", $"stty rows {options.Rows.ToString(CultureInfo.InvariantCulture)} cols {options.Columns.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; exec \"$@\"", "sh", .. command];

    private static async Task<bool> HasShellAsync(DockerEngine engine, string containerId, string operation, CancellationToken ct)
    {
        var reply = await engine.SendAsync(HttpMethod.Head, $"/containers/{containerId}/archive?path=/bin/sh", null, operation, ct, HttpStatusCode.NotFound).ConfigureAwait(false);
        return !reply.Is(HttpStatusCode.NotFound);
    }

    private async Task ResizeAsync(ushort rows, ushort columns, CancellationToken ct)
    {
        var query = $"h={rows.ToString(CultureInfo.InvariantCulture)}&w={columns.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            await _engine.SendAsync(HttpMethod.Post, $"/exec/{_execId}/resize?{query}", null, $"{_operation}: resizing the terminal", ct).ConfigureAwait(false);
        }
        catch (RuntimeException) when (_pump.IsCompleted)
        {
            // The command has ended and its terminal with it; there is nothing left to size.
        }
    }

    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            await using var connection = new NetworkStream(_connection, FileAccess.Read, ownsSocket: false);
            await foreach (var frame in DockerStreamFrames.ReadAsync(connection, Tty, _stopPump.Token).ConfigureAwait(false))
            {
                // A reader that has let go of its stream gets nothing more; the other still does.
                var target = frame.Stream == LogStream.Stderr && _stderr is not null ? _stderr.Writer : _stdout.Writer;
                await target.WriteAsync(frame.Payload, _stopPump.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopPump.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or RuntimeException)
        {
            failure = _stopPump.IsCancellationRequested ? null : new IOException($"{_operation}: the connection to the Docker engine broke: {e.Message}", e);
        }
        finally
        {
            await _stdout.Writer.CompleteAsync(failure).ConfigureAwait(false);
            if (_stderr is not null)
            {
                await _stderr.Writer.CompleteAsync(failure).ConfigureAwait(false);
            }
        }
    }

    /// <summary>SIGTERM to the exec's process, then SIGKILL if it has not ended within the grace.</summary>
    private async Task EndCommandAsync()
    {
        var inspect = await DockerExec.InspectAsync(_engine, _execId, _operation, CancellationToken.None).ConfigureAwait(false);
        if (!IsRunning(inspect) || inspect?["Pid"]?.GetValue<int>() is not (> 0 and var pid))
        {
            return;
        }

        // Not on this host's /proc: the engine runs elsewhere (a VM), beyond our signals.
        if (!Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}") || !Native.Kill(pid, Native.SIGTERM))
        {
            return;
        }

        var deadline = DateTime.UtcNow + StopGrace;
        while (DateTime.UtcNow < deadline)
        {
            if (_pump.IsCompleted || !IsRunning(await DockerExec.InspectAsync(_engine, _execId, _operation, CancellationToken.None).ConfigureAwait(false)))
            {
                return;
            }

            await Task.Delay(DockerExec.PollInterval).ConfigureAwait(false);
        }

        Native.Kill(pid, Native.SIGKILL);
    }

    private static bool IsRunning(JsonNode? inspect) => inspect?["Running"]?.GetValue<bool>() is true;
}
