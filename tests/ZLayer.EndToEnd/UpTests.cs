using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary>
/// `zlayer up` as a user runs it: no daemon beforehand, one started for the occasion; Ctrl-C
/// (SIGINT) takes everything down; `-d` leaves a background daemon that serves later commands.
/// </summary>
public sealed class UpTests : IDisposable
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("zlayer-up-").FullName;
    private readonly Dictionary<string, string> _env;

    public UpTests()
    {
        _env = new Dictionary<string, string>
        {
            ["ZLAYER_HOST"] = $"unix://{Path.Combine(_root, "zlayer.sock")}",
            ["ZLAYER_DATA_DIR"] = Path.Combine(_root, "data"),
        };
    }

    private string Spec => WriteSpec("""
        version: v1
        deployment: upped
        services:
          web:
            runtime: process
            command: { entrypoint: [zlayer, demo-server] }
            endpoints: [{ name: http, protocol: http, port: 8080 }]
            health: { start_grace: 0s, interval: 1s, check: { type: http, url: "http://localhost:8080/healthz" } }
            scale: { mode: fixed, replicas: 2 }
          ticker:
            runtime: process
            command: { entrypoint: [sh, -c, "while true; do echo tick from $ZLAYER_REPLICA; sleep 1; done"] }
            depends: [{ service: web, condition: healthy }]
        """);

    [Fact]
    public async Task Up_starts_a_daemon_shows_logs_and_ctrl_c_leaves_nothing_running()
    {
        var start = new ProcessStartInfo(Path.Combine(ZLayerProcess.RepositoryRoot, "zlayer"), ["up", "-f", Spec])
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _env)
        {
            start.Environment[key] = value;
        }

        using var up = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var pumps = new[] { OutputCapture.Pump(up.StandardOutput, stdout), OutputCapture.Pump(up.StandardError, stderr) };
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(OutputCapture.Snapshot(stdout).Contains("ticker.1 | tick from upped.ticker.1", StringComparison.Ordinal)), Converge,
                "up streams the ticker's output, prefixed with its replica");
            var replicas = await ReplicasAsync();
            Assert.Equal(3, replicas.Count);
            Assert.All(replicas, r => Assert.Equal("running", r["state"]!.ToString()));
            var pids = replicas.Select(r => r["pid"]!.GetValue<int>()).ToList();
            Assert.Contains("deployment 'upped' is healthy", OutputCapture.Snapshot(stdout));

            Process.Start("kill", ["-INT", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var deadline = new CancellationTokenSource(Converge);
            await up.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(pumps);

            Assert.True(up.ExitCode == 0, $"up exited {up.ExitCode}: {stderr}");
            Assert.Contains("deployment 'upped' stopped and removed", stderr.ToString());
            Assert.All(pids, pid => Assert.False(IsAlive(pid), $"replica process {pid} still running after Ctrl-C"));
            var ps = await ZLayerProcess.RunAsync(_root, _env, "ps");
            Assert.Equal(1, ps.ExitCode);
            Assert.Contains("no zlayer daemon", ps.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Up_detached_leaves_a_background_daemon_that_later_commands_use()
    {
        var up = await ZLayerProcess.RunAsync(_root, _env, "up", "-d", "--wait", "-f", Spec);
        Assert.True(up.ExitCode == 0, up.Stdout + up.Stderr);
        Assert.Contains("started a daemon in the background", up.Stderr);
        Assert.Contains("deployment 'upped' is healthy", up.Stdout);

        var daemonPid = DaemonPid();
        try
        {
            var replicas = await ReplicasAsync();
            Assert.Equal(3, replicas.Count(r => r["health"]!.ToString() == "healthy"));

            // A second `up` of the same file finds the daemon and changes nothing.
            var again = await ZLayerProcess.RunAsync(_root, _env, "up", "-d", "-f", Spec);
            Assert.Equal(0, again.ExitCode);
            Assert.DoesNotContain("started a daemon", again.Stderr);
            Assert.Contains("unchanged", again.Stdout);
            Assert.Equal(replicas.Select(r => r["pid"]!.GetValue<int>()).Order(), (await ReplicasAsync()).Select(r => r["pid"]!.GetValue<int>()).Order());
        }
        finally
        {
            await ZLayerProcess.RunAsync(_root, _env, "down", "upped");
            await Eventually.HoldsAsync(async () => (await ReplicasAsync()).Count == 0, Converge, "replicas gone after down");
            Process.GetProcessById(daemonPid).Kill();
        }
    }

    private int DaemonPid()
    {
        var log = Path.Combine(_env["ZLAYER_DATA_DIR"], "daemon.log");
        var started = File.ReadLines(log).Select(l => JsonNode.Parse(l)!.AsObject()).Last(o => o["msg"]?.ToString() == "zlayer daemon started");
        return started["pid"]!.GetValue<int>();
    }

    private async Task<List<JsonObject>> ReplicasAsync()
    {
        var ps = await ZLayerProcess.RunAsync(_root, _env, "ps", "-a", "-o", "json");
        Assert.True(ps.ExitCode == 0, ps.Stderr);
        return [.. JsonNode.Parse(ps.Stdout)!.AsArray().Select(n => n!.AsObject())];
    }

    private string WriteSpec(string yaml)
    {
        var file = Path.Combine(_root, "zlayer.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    public void Dispose()
    {
        LeftoverReplicas.Kill(_env["ZLAYER_DATA_DIR"]);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
