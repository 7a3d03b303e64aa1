using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary>
/// Day-two commands against a running daemon: logs (with tail and follow), exec, a rolling
/// restart, and job runs, each through the real CLI on real replica processes.
/// </summary>
public sealed class OperationsTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly DaemonFixture _daemon = new();

    public Task InitializeAsync() => _daemon.StartAsync();

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    private static string Get(JsonObject o, string key) => o[key]?.ToString() ?? "";

    private async Task DeployAsync(string yaml)
    {
        var deploy = await _daemon.RunAsync("deploy", _daemon.WriteSpec("ops.zlayer.yaml", yaml));
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
    }

    private Task WaitAsync(Func<List<JsonObject>, bool> condition, string what) =>
        Eventually.HoldsAsync(async () => condition(await _daemon.ReplicasAsync()), Converge, what);

    [Fact]
    public async Task Logs_show_each_replicas_output_with_tail_and_follow_new_lines()
    {
        await DeployAsync("""
            version: v1
            deployment: chatty
            services:
              talker:
                runtime: process
                command: { entrypoint: [sh, -c, "echo hello from $ZLAYER_REPLICA; echo oops >&2; while true; do echo tick; sleep 1; done"] }
                scale: { mode: fixed, replicas: 2 }
            """);
        await Eventually.HoldsAsync(
            async () => (await _daemon.RunAsync("logs", "talker")).Stdout.Contains("talker.2 | hello from chatty.talker.2", StringComparison.Ordinal),
            Converge,
            "both replicas' first lines in `zlayer logs`");

        var all = await _daemon.RunAsync("logs", "talker");
        Assert.Equal(0, all.ExitCode);
        Assert.Contains("talker.1 | hello from chatty.talker.1", all.Stdout);
        Assert.Contains("talker.1 | oops", all.Stdout);

        // One replica: its own streams, unprefixed.
        var one = await _daemon.RunAsync("logs", "talker/1");
        Assert.Equal(0, one.ExitCode);
        Assert.StartsWith("hello from chatty.talker.1\n", one.Stdout);
        Assert.Contains("oops", one.Stderr);
        Assert.DoesNotContain("oops", one.Stdout);

        var tail = await _daemon.RunAsync("logs", "talker.2", "--tail", "1");
        Assert.Equal(["tick"], tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Following shows lines written after it started, then ends cleanly on Ctrl-C.
        var follow = Start("logs", "-f", "--tail", "0", "talker.1");
        var output = new StringBuilder();
        var pump = OutputCapture.Pump(follow.StandardOutput, output);
        await Eventually.HoldsAsync(() => Task.FromResult(OutputCapture.Snapshot(output).Contains("tick", StringComparison.Ordinal)), Converge, "a followed new line");
        Assert.DoesNotContain("hello", OutputCapture.Snapshot(output));
        Process.Start("kill", ["-INT", follow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var deadline = new CancellationTokenSource(Converge);
        await follow.WaitForExitAsync(deadline.Token);
        await pump;
        Assert.Equal(0, follow.ExitCode);

        var missing = await _daemon.RunAsync("logs", "nosuch");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no deployment has a service 'nosuch'", missing.Stderr);
    }

    [Fact]
    public async Task Exec_runs_in_the_replicas_environment_and_returns_its_exit_code()
    {
        await DeployAsync("""
            version: v1
            deployment: execd
            services:
              box:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                env: { GREETING: bonjour }
            """);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "box" && Get(x, "state") == "running"), "box running");

        var env = await _daemon.RunAsync("exec", "box", "--", "sh", "-c", "echo $GREETING $ZLAYER_REPLICA; echo to-stderr >&2; exit 7");
        Assert.Equal(7, env.ExitCode);
        Assert.Equal("bonjour execd.box.1\n", env.Stdout);
        Assert.Contains("to-stderr", env.Stderr);

        var missing = await _daemon.RunAsync("exec", "box", "--", "no-such-program-zl");
        Assert.NotEqual(0, missing.ExitCode);

        var noReplica = await _daemon.RunAsync("exec", "box.5", "--", "true");
        Assert.Equal(1, noReplica.ExitCode);
        Assert.Contains("not on this node", noReplica.Stderr);
    }

    [Fact]
    public async Task Exec_streams_piped_input_with_i_and_gives_a_sized_terminal_with_it()
    {
        await DeployAsync("""
            version: v1
            deployment: session
            services:
              box:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
            """);
        await WaitAsync(r => r.Any(x => Get(x, "deployment") == "session" && Get(x, "state") == "running"), "box running");

        var piped = await _daemon.RunWithInputAsync("one\ntwo\n", "exec", "-i", "box", "--", "sh", "-c", "while read l; do echo got:$l; echo seen:$l >&2; done; exit 4");
        Assert.True(piped.ExitCode == 4, $"exit {piped.ExitCode}: {piped.Stderr}");
        Assert.Equal("got:one\ngot:two\n", piped.Stdout);
        Assert.Equal("seen:one\nseen:two\n", piped.Stderr);

        // On a 33x101 terminal: the command's terminal has that size, and gets what is typed.
        var shown = await PseudoTerminal.RunAsync(
            _daemon.Root,
            $"stty rows 33 cols 101; {ZLayerProcess.RepositoryRoot}/zlayer exec -it box -- sh -c 'stty size; echo ready; read l; echo got:$l; exit 3'; echo exit=$?",
            _daemon.Environment,
            ("ready", "hello\r"));
        Assert.Contains("33 101", shown);
        Assert.Contains("got:hello", shown);
        Assert.Contains("exit=3", shown);

        var missing = await _daemon.RunAsync("exec", "-it", "box.7", "--", "sh");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not on this node", missing.Stderr);
    }

    [Fact]
    public async Task Restart_replaces_replicas_one_at_a_time_and_they_come_back_healthy()
    {
        await DeployAsync("""
            version: v1
            deployment: rolling
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints: [{ name: http, protocol: http, port: 8080 }]
                health: { start_grace: 0s, interval: 1s, check: { type: http, url: "http://localhost:8080/healthz" } }
                scale: { mode: fixed, replicas: 2 }
            """);
        await WaitAsync(r => r.Count(x => Get(x, "health") == "healthy") == 2, "2 healthy replicas");
        var before = (await _daemon.ReplicasAsync()).Select(r => r["pid"]!.GetValue<int>()).ToHashSet();

        var restart = await _daemon.RunAsync("restart", "web");
        Assert.True(restart.ExitCode == 0, restart.Stdout + restart.Stderr);
        Assert.Contains("2 replica(s) restarted", restart.Stdout);

        var after = await _daemon.ReplicasAsync();
        Assert.Equal(2, after.Count(x => Get(x, "state") == "running" && Get(x, "health") == "healthy"));
        Assert.Empty(after.Select(r => r["pid"]!.GetValue<int>()).Intersect(before));

        // One at a time: the second replica is stopped only after the first is healthy again.
        var events = await _daemon.EventsAsync();
        var firstHealthy = events.FindLastIndex(e => Get(e, "replica") == "rolling.web.1" && Get(e, "type") == "replica.healthy");
        var secondStopping = events.FindLastIndex(e => Get(e, "replica") == "rolling.web.2" && Get(e, "type") == "replica.stopping");
        Assert.True(firstHealthy >= 0 && secondStopping > firstHealthy, "web.2 must stop after web.1 is healthy again:\n" + string.Join("\n", events.Select(e => e.ToJsonString())));
    }

    [Fact]
    public async Task Job_runs_record_their_outcome_and_output()
    {
        await DeployAsync("""
            version: v1
            deployment: batch
            services:
              report:
                rtype: job
                runtime: process
                command: { entrypoint: [sh, -c, "echo report for $ZLAYER_REPLICA; exit ${FAIL:-0}"] }
              long:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
            """);

        var ok = await _daemon.RunAsync("job", "run", "--wait", "report");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("report for batch.report.1", ok.Stdout);
        Assert.Contains("run 1 succeeded", ok.Stderr);

        var started = await _daemon.RunAsync("job", "run", "report");
        Assert.Equal(0, started.ExitCode);
        Assert.Equal("2", started.Stdout.Trim());
        await Eventually.HoldsAsync(
            async () => JsonNode.Parse((await _daemon.RunAsync("job", "ls", "report", "-o", "json")).Stdout)!.AsArray().Count(r => Get(r!.AsObject(), "state") == "succeeded") == 2,
            Converge,
            "two succeeded runs");
        var runs = JsonNode.Parse((await _daemon.RunAsync("job", "ls", "-o", "json")).Stdout)!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal([2, 1], runs.Select(r => r["run"]!.GetValue<int>()));
        Assert.All(runs, r => Assert.Equal("report", Get(r, "service")));
        Assert.All(runs, r => Assert.Equal("0", Get(r, "exit_code")));

        var logs = await _daemon.RunAsync("job", "logs", "report");
        Assert.Equal("report for batch.report.2\n", logs.Stdout);
        var first = await _daemon.RunAsync("job", "logs", "report", "1");
        Assert.Equal("report for batch.report.1\n", first.Stdout);

        var notAJob = await _daemon.RunAsync("job", "run", "long");
        Assert.Equal(1, notAJob.ExitCode);
        Assert.Contains("not a job", notAJob.Stderr);
    }

    [Fact]
    public async Task Cron_runs_on_its_schedule_and_skips_a_run_while_the_previous_one_runs()
    {
        await DeployAsync("""
            version: v1
            deployment: timed
            services:
              tick:
                rtype: cron
                schedule: "* * * * * *"
                runtime: process
                command: { entrypoint: [sh, -c, "echo cron run $ZLAYER_REPLICA; sleep 2"] }
            """);

        // Due every second, each run takes two: runs succeed, and the ones due meanwhile are
        // recorded as skipped (with an event) rather than started beside the one still running.
        List<JsonObject> runs = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                runs = [.. JsonNode.Parse((await _daemon.RunAsync("job", "ls", "tick", "-o", "json")).Stdout)!.AsArray().Select(r => r!.AsObject())];
                return runs.Count(r => Get(r, "state") == "succeeded") >= 2
                    && runs.Any(r => Get(r, "state") == "skipped")
                    && (await _daemon.EventsAsync()).Any(e => Get(e, "type") == "job.skipped" && Get(e, "service") == "tick");
            },
            Converge,
            "two succeeded cron runs and a skipped one");
        Assert.All(runs, r => Assert.Equal("cron", Get(r, "trigger")));
        Assert.True(runs.Count(r => Get(r, "state") is "running" or "pending") <= 1, "never two runs at once:\n" + string.Join("\n", runs.Select(r => r.ToJsonString())));

        var succeeded = runs.First(r => Get(r, "state") == "succeeded");
        var output = await _daemon.RunAsync("job", "logs", "tick", Get(succeeded, "run"));
        Assert.Equal($"cron run timed.tick.{Get(succeeded, "run")}\n", output.Stdout);
    }

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(ZLayerProcess.RepositoryRoot, "zlayer"), args)
        {
            WorkingDirectory = _daemon.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _daemon.Environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }
}
