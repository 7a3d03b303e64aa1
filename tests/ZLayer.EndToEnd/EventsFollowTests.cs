using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary>
/// <c>zlayer events -f</c> against a real daemon: it follows over the API WebSocket, prints what
/// <c>zlayer events</c> prints, and carries on across a daemon restart without losing or
/// repeating an event.
/// </summary>
public sealed class EventsFollowTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly DaemonFixture _daemon = new();

    public Task InitializeAsync() => _daemon.StartAsync();

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    [Fact]
    public async Task Following_prints_every_event_once_across_a_daemon_restart_as_the_list_prints_them()
    {
        var json = Follower.Start(_daemon, "events", "-f", "-o", "json");
        var text = Follower.Start(_daemon, "events", "-f");
        var spec = _daemon.WriteSpec("events.zlayer.yaml", """
            version: v1
            deployment: watched
            services:
              idle:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                scale: { mode: fixed, replicas: 1 }
            """);

        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);

        // Changes until both followers print one: they are connected from then on, and
        // everything after their first line is compared with the stored list.
        var replicas = 1;
        await Eventually.HoldsAsync(async () =>
        {
            replicas = 3 - replicas;
            Assert.Equal(0, (await _daemon.RunAsync("scale", $"idle={replicas}", "-d", "watched")).ExitCode);
            return json.Lines().Count > 0 && text.Lines().Count > 0;
        }, Converge, "both followers print an event");

        // A restart: the connections drop; what happens meanwhile and after is still printed.
        Assert.Equal(0, await _daemon.StopAsync());
        await _daemon.StartAsync();
        Assert.Equal(0, (await _daemon.RunAsync("scale", "idle=3", "-d", "watched")).ExitCode);
        Assert.Equal(0, (await _daemon.RunAsync("down", "watched")).ExitCode);

        // Once no replica is left nothing more happens, so the stored list is final.
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).Count == 0, Converge, "every replica is gone");
        var stored = await _daemon.EventsAsync();
        var first = json.Lines().Min(l => (long)JsonNode.Parse(l)!["sequence"]!);
        var expected = stored.Where(e => (long)e["sequence"]! >= first).Select(e => e.ToJsonString()).ToList();
        await Eventually.HoldsAsync(() => Task.FromResult(json.Lines().Count >= expected.Count), Converge, $"the JSON follower prints the {expected.Count} events from {first} on");

        // Each event once, as `zlayer events -o json` has it. Concurrent writers may commit two
        // events out of sequence order, and a follower prints in commit order: compared as sets.
        Assert.Equal(expected.Order(StringComparer.Ordinal), json.Lines().Order(StringComparer.Ordinal));

        // The text follower prints the same lines as `zlayer events` does.
        var list = (await _daemon.RunAsync("events")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(text.Lines(), l => Assert.Contains(l, list));
        var textFirst = text.Lines().Min(l => Array.IndexOf(list, l));
        await Eventually.HoldsAsync(() => Task.FromResult(text.Lines().Count >= list.Length - textFirst), Converge, "the text follower caught up");
        Assert.Equal(list[textFirst..].Order(StringComparer.Ordinal), text.Lines().Order(StringComparer.Ordinal));

        foreach (var follower in new[] { json, text })
        {
            var (code, stderr) = await follower.InterruptAsync();
            Assert.Equal(0, code);
            Assert.Contains("lost the event stream; reconnecting", stderr);
        }
    }

    [Fact]
    public async Task Following_without_a_daemon_fails_at_once()
    {
        Assert.Equal(0, await _daemon.StopAsync());
        var result = await _daemon.RunAsync("events", "-f");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no zlayer daemon is running", result.Stderr);
    }

    /// <summary>A running <c>zlayer events -f</c>, its output collected as it comes.</summary>
    private sealed class Follower
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly Task _pumps;

        private Follower(Process process)
        {
            _process = process;
            _pumps = Task.WhenAll(OutputCapture.Pump(process.StandardOutput, _stdout), OutputCapture.Pump(process.StandardError, _stderr));
        }

        public static Follower Start(DaemonFixture daemon, params string[] args)
        {
            var start = new ProcessStartInfo(Path.Combine(ZLayerProcess.RepositoryRoot, "zlayer"), args)
            {
                WorkingDirectory = daemon.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (key, value) in daemon.Environment)
            {
                start.Environment[key] = value;
            }

            return new Follower(Process.Start(start)!);
        }

        public List<string> Lines() => [.. OutputCapture.Snapshot(_stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

        /// <summary>Ctrl-C, as a user ends a follow; returns the exit code and what it said on stderr.</summary>
        public async Task<(int Code, string Stderr)> InterruptAsync()
        {
            Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            using var deadline = new CancellationTokenSource(Converge);
            await _process.WaitForExitAsync(deadline.Token);
            await _pumps;
            return (_process.ExitCode, OutputCapture.Snapshot(_stderr));
        }
    }
}
