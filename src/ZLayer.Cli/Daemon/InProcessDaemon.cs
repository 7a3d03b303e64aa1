namespace ZLayer.Cli.Daemon;

/// <summary>
/// The daemon <c>zlayer up</c> runs inside its own process when none is running, as
/// <c>docker compose up</c> needs no separate step. It has its own lifetime (Ctrl-C first takes the
/// deployment down through it) and logs to a file so the terminal shows progress and replica output.
/// </summary>
public sealed class InProcessDaemon : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StreamWriter _log;
    private readonly Task<int> _run;

    private InProcessDaemon(DaemonOptions options, string logPath)
    {
        LogPath = logPath;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        var host = new DaemonHost(options, new DaemonLogger(json: true, _log));
        _run = Task.Run(() => host.RunAsync(_stop.Token));
        Ready = host.Ready;
    }

    public string LogPath { get; }

    private Task Ready { get; }

    /// <summary>Starts the daemon and waits until its API listens; null (with the reason on stderr) when it cannot start.</summary>
    public static async Task<InProcessDaemon?> StartAsync(DaemonOptions options)
    {
        if (!Directory.Exists(options.DataDirectory) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var daemon = new InProcessDaemon(options, BackgroundDaemon.LogPath(options.DataDirectory));
        try
        {
            await daemon.Ready;
            return daemon;
        }
        catch (Exception ex)
        {
            await daemon.DisposeAsync();
            var tail = string.Join('\n', File.ReadLines(daemon.LogPath).TakeLast(3));
            Console.Error.WriteLine($"zlayer: could not start a daemon: {ex.Message}\n{tail}");
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"zlayer: the daemon stopped with an error: {ex.Message} (see {LogPath})");
        }

        await _log.DisposeAsync();
        _stop.Dispose();
    }
}
