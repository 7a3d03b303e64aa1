using System.Diagnostics;
using ZLayer.Cli.Client;
using ZLayer.Server;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// Starts <c>zlayer serve</c> detached from this terminal for <c>zlayer up -d</c>: its own session
/// (setsid), no inherited descriptors, its log appended to a file in the data directory.
/// </summary>
public static class BackgroundDaemon
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Returns null once the daemon answers on the socket, else what went wrong.</summary>
    public static async Task<string?> StartAsync(string socketPath, string dataDirectory, CancellationToken ct)
    {
        if (!Directory.Exists(dataDirectory) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var log = LogPath(dataDirectory);
        var self = Environment.ProcessPath ?? "zlayer";

        // sh does the redirections; `setsid -f` forks into a new session so the daemon survives
        // this terminal's hang-up and Ctrl-C, and sh returns at once.
        var start = new ProcessStartInfo("sh",
            ["-c", "exec setsid -f \"$0\" serve --socket \"$1\" --data-dir \"$2\" --api none --log-format json >>\"$3\" 2>&1 </dev/null",
             self, socketPath, dataDirectory, log])
        {
            UseShellExecute = false,
        };
        using (var launcher = Process.Start(start) ?? throw new InvalidOperationException("could not run sh"))
        {
            await launcher.WaitForExitAsync(ct);
            if (launcher.ExitCode != 0)
            {
                return $"could not start the daemon in the background (setsid exited {launcher.ExitCode})";
            }
        }

        return await WaitUntilAnsweringAsync(socketPath, log, ct);
    }

    public static string LogPath(string dataDirectory) => Path.Combine(dataDirectory, "daemon.log");

    private static async Task<string?> WaitUntilAnsweringAsync(string socketPath, string log, CancellationToken ct)
    {
        using var client = new ApiClient(new DaemonAddress("unix://" + socketPath, new Uri("http://localhost/"), socketPath), TimeSpan.FromSeconds(5));
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                await client.GetAsync<System.Text.Json.Nodes.JsonObject>(ApiPaths.Live, ct);
                return null;
            }
            catch (DaemonUnreachableException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }

        var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(5)) : "";
        return $"the daemon did not answer on {socketPath} within {StartTimeout.TotalSeconds:0}s; its log ({log}) ends with:\n{tail}";
    }
}
