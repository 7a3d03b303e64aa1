using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary>
/// A real `zlayer serve` on a private data directory and socket, driven through the real CLI.
/// Each test class gets its own daemon; <see cref="KillHard"/> and <see cref="StartAsync"/>
/// simulate a crash and a restart on the same data.
/// </summary>
public sealed class DaemonFixture : IAsyncDisposable
{
    private Process? _daemon;

    public DaemonFixture()
    {
        Root = Directory.CreateTempSubdirectory("zlayer-daemon-").FullName;
        DataDir = Path.Combine(Root, "data");
        Socket = Path.Combine(Root, "zlayer.sock");
        Environment = new Dictionary<string, string>
        {
            ["ZLAYER_HOST"] = $"unix://{Socket}",
            ["ZLAYER_DATA_DIR"] = DataDir,
        };
    }

    public string Root { get; }

    public string DataDir { get; }

    public string Socket { get; }

    public Dictionary<string, string> Environment { get; }

    public string DaemonLog => Path.Combine(Root, "daemon.log");

    public int? DaemonPid => _daemon is { HasExited: false } d ? d.Id : null;

    /// <summary>Options added to <c>zlayer serve</c> on the next <see cref="StartAsync"/> (e.g. --stop-on-exit).</summary>
    public List<string> ExtraArgs { get; } = [];

    /// <summary>Environment variables of the daemon process (e.g. DOCKER_HOST), over the test run's own.</summary>
    public Dictionary<string, string> DaemonEnvironment { get; } = [];

    /// <summary>The serve --api: TCP off unless a test reaches the API over TCP (then HOST:PORT).</summary>
    public string Api { get; set; } = "none";

    /// <summary>The serve --runtime (process unless a test runs containers).</summary>
    public string Runtime { get; set; } = "process";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(ZLayerProcess.RepositoryRoot, "zlayer"),
            ["serve", "--data-dir", DataDir, "--socket", Socket, "--api", Api, "--runtime", Runtime, "--log-format", "json", .. ExtraArgs])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var (key, value) in DaemonEnvironment)
        {
            start.Environment[key] = value;
        }

        _daemon = Process.Start(start)!;
        var log = File.AppendText(DaemonLog);
        log.AutoFlush = true;
        _ = Pump(_daemon.StandardOutput, log);
        _ = Pump(_daemon.StandardError, log);

        await Eventually.HoldsAsync(async () =>
        {
            if (_daemon.HasExited)
            {
                throw new InvalidOperationException($"the daemon exited with {_daemon.ExitCode}:\n{await File.ReadAllTextAsync(DaemonLog)}");
            }

            return (await RunAsync("status", "-o", "json")).ExitCode == 0;
        }, TimeSpan.FromSeconds(60), "daemon answers `zlayer status`");
    }

    private static async Task Pump(StreamReader reader, StreamWriter log)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    public Task<CliResult> RunAsync(params string[] args) => ZLayerProcess.RunAsync(Root, Environment, args);

    public Task<CliResult> RunWithInputAsync(string input, params string[] args) => ZLayerProcess.RunWithInputAsync(Root, Environment, input, args);

    public string WriteSpec(string name, string yaml)
    {
        var file = Path.Combine(Root, name);
        File.WriteAllText(file, yaml);
        return file;
    }

    /// <summary>`zlayer ps -a -o json`, as a list of replica objects.</summary>
    public async Task<List<JsonObject>> ReplicasAsync()
    {
        var result = await RunAsync("ps", "-a", "-o", "json");
        Assert.True(result.ExitCode == 0, $"ps failed: {result.Stderr}");
        return [.. JsonNode.Parse(result.Stdout)!.AsArray().Select(n => n!.AsObject())];
    }

    public async Task<List<JsonObject>> EventsAsync()
    {
        var result = await RunAsync("events", "-o", "json");
        Assert.True(result.ExitCode == 0, $"events failed: {result.Stderr}");
        return [.. JsonNode.Parse(result.Stdout)!.AsArray().Select(n => n!.AsObject())];
    }

    /// <summary>Stops the daemon as a service manager does (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        var daemon = _daemon ?? throw new InvalidOperationException("no daemon started");
        Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await daemon.WaitForExitAsync(deadline.Token);
        return daemon.ExitCode;
    }

    /// <summary>Simulates a crash: SIGKILL, no chance to clean up.</summary>
    public void KillHard()
    {
        _daemon?.Kill();
        _daemon?.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false } daemon)
        {
            // Take every deployment down and let its replicas stop, then stop the daemon.
            foreach (var name in await DeploymentNamesAsync())
            {
                await RunAsync("down", name);
            }

            try
            {
                await Eventually.HoldsAsync(async () => (await ReplicasAsync()).Count == 0, TimeSpan.FromSeconds(30), "replicas stopped after down");
            }
            catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
            {
                // Whatever is left is killed below.
            }

            Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await daemon.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                daemon.Kill(entireProcessTree: true);
            }
        }

        // Whatever a test left running (it stopped or killed its daemon itself) must not outlive it.
        LeftoverReplicas.Kill(DataDir);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<List<string>> DeploymentNamesAsync()
    {
        var result = await RunAsync("status", "-o", "json");
        if (result.ExitCode != 0)
        {
            return [];
        }

        return [.. JsonNode.Parse(result.Stdout)!.AsArray().Select(d => d!["name"]!.GetValue<string>())];
    }
}
