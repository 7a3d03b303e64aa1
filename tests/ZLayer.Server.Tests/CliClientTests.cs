using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ZLayer.Control.Model;
using ZLayer.Control.Scaling;
using ZLayer.Control.State;

namespace ZLayer.Server.Tests;

/// <summary>The real CLI against the real API server, through ZLAYER_HOST.</summary>
public sealed class CliClientTests
{
    [Fact]
    public async Task Without_a_daemon_every_client_command_says_so_and_exits_1()
    {
        var directory = Directory.CreateTempSubdirectory("zls-").FullName;
        try
        {
            var socket = Path.Combine(directory, "none.sock");
            var result = await Cli.RunAsync(directory, "unix://" + socket, null, "ps");
            Assert.Equal(1, result.ExitCode);
            Assert.Equal(
                $"zlayer: no zlayer daemon is running at unix://{socket} (start one with `zlayer serve`, or set ZLAYER_HOST)",
                result.Stderr.Trim());
            Assert.Equal("", result.Stdout);

            // Without ZLAYER_HOST the default socket is named; XDG_RUNTIME_DIR places it for a non-root user.
            var defaults = await Cli.RunAsync(directory, null, new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = directory }, "status");
            Assert.Equal(1, defaults.ExitCode);
            var expectedSocket = Environment.IsPrivilegedProcess ? "/run/zlayer/zlayer.sock" : Path.Combine(directory, "zlayer", "zlayer.sock");
            Assert.Contains($"no zlayer daemon is running at unix://{expectedSocket}", defaults.Stderr);

            var tcp = await Cli.RunAsync(directory, "http://127.0.0.1:9", null, "status");
            Assert.Equal(1, tcp.ExitCode);
            Assert.Contains("no zlayer daemon is answering at http://127.0.0.1:9", tcp.Stderr);

            var bad = await Cli.RunAsync(directory, "ftp://x", null, "status");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("ZLAYER_HOST='ftp://x'", bad.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Deploy_refuses_an_invalid_spec_with_validate_output_and_leaves_the_deployment_alone()
    {
        await using var daemon = await TestDaemon.StartAsync();
        File.WriteAllText(Path.Combine(daemon.Directory, "zlayer.yaml"), Specs.Demo);
        Assert.Equal(0, (await Cli.RunAsync(daemon, "deploy")).ExitCode);

        File.WriteAllText(Path.Combine(daemon.Directory, "bad.yaml"), Specs.Invalid);
        var deploy = await Cli.RunAsync(daemon, "deploy", "bad.yaml");
        var validate = await Cli.RunAsync(daemon, "validate", "bad.yaml");
        Assert.Equal(1, deploy.ExitCode);
        Assert.Equal(1, validate.ExitCode);
        Assert.Equal(validate.Stdout.Trim(), deploy.Stderr.Trim());
        Assert.Contains("bad.yaml:7:", deploy.Stderr);
        Assert.Equal("", deploy.Stdout);

        var record = await daemon.Control.DeploymentRecordAsync("demo");
        Assert.Equal(1, record!.Generation);
        Assert.Equal(Specs.Demo, record.Spec);
    }

    [Fact]
    public async Task Deploy_prints_what_changed_and_a_daemon_refusal_like_validate()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var file = Path.Combine(daemon.Directory, "app.zlayer.yaml");
        File.WriteAllText(file, Specs.Demo);
        var created = await Cli.RunAsync(daemon, "deploy", "-f", "app.zlayer.yaml");
        Assert.Equal(0, created.ExitCode);
        Assert.Equal(["deployment 'demo' created (generation 1)", "  added      web, db"], Lines(created.Stdout));

        var again = await Cli.RunAsync(daemon, "deploy", "app.zlayer.yaml");
        Assert.Equal(["deployment 'demo' unchanged (generation 2)", "  unchanged  web, db"], Lines(again.Stdout));

        File.WriteAllText(file, Specs.DemoWebChanged);
        var changed = await Cli.RunAsync(daemon, "deploy", "app.zlayer.yaml");
        Assert.Equal(["deployment 'demo' updated (generation 3)", "  changed    web", "  unchanged  db"], Lines(changed.Stdout));

        // The file is sent as written, so the daemon names the same file and keeps its comments.
        Assert.Equal(Specs.DemoWebChanged, (await daemon.Control.DeploymentRecordAsync("demo"))!.Spec);
        Assert.StartsWith("kai@", (await daemon.Control.DeploymentRecordAsync("demo"))!.DeployedBy.Replace(Environment.UserName, "kai", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_resolves_env_references_in_the_clients_environment()
    {
        await using var daemon = await TestDaemon.StartAsync();
        File.WriteAllText(Path.Combine(daemon.Directory, "zlayer.yaml"), Specs.Demo.Replace(
            "    image: { name: postgres:16 }",
            "    image: { name: postgres:16 }\n    env:\n      PASSWORD: \"$E:ZL_TEST_SECRET\"\n      URL: \"db://$E:ZL_TEST_USER@host\"",
            StringComparison.Ordinal));

        var missing = await Cli.RunAsync(daemon.Directory, daemon.Host, new Dictionary<string, string> { ["ZL_TEST_USER"] = "app" }, "deploy");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("services.db.env.PASSWORD: environment variable 'ZL_TEST_SECRET' is not set", missing.Stderr);
        Assert.Contains("--env-from daemon", missing.Stderr);
        Assert.Null(await daemon.Control.DeploymentRecordAsync("demo"));

        var env = new Dictionary<string, string> { ["ZL_TEST_SECRET"] = "pa$$word", ["ZL_TEST_USER"] = "app" };
        var resolved = await Cli.RunAsync(daemon.Directory, daemon.Host, env, "deploy");
        Assert.Equal(0, resolved.ExitCode);
        var stored = (await daemon.Control.DeploymentRecordAsync("demo"))!.Spec;
        Assert.DoesNotContain("$E:", stored);
        Assert.Contains("db://app@host", stored);

        // A '$' in a value is escaped for the node's later stage, which turns '$$' back into '$'.
        Assert.Contains("pa$$$$word", stored);

        var daemonSide = await Cli.RunAsync(daemon.Directory, daemon.Host, null, "deploy", "--env-from", "daemon");
        Assert.Equal(0, daemonSide.ExitCode);
        Assert.Contains("$E:ZL_TEST_SECRET", (await daemon.Control.DeploymentRecordAsync("demo"))!.Spec);
    }

    [Fact]
    public async Task Ps_json_carries_state_health_node_addresses_and_ports_of_every_replica()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "db", 0, ReplicaState.WaitingDependencies, HealthState.Unknown);
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 1, ReplicaState.Exited, HealthState.Unknown, exitCode: 3);

        var result = await Cli.RunAsync(daemon, "ps", "-o", "json");
        Assert.Equal(0, result.ExitCode);
        var replicas = JsonNode.Parse(result.Stdout)!.AsArray();
        Assert.Equal(["demo.db.0", "demo.web.0"], replicas.Select(r => (string)r!["replica"]!).ToArray());
        var web = replicas[1]!.AsObject();
        Assert.Equal(
            ["replica", "deployment", "service", "index", "state", "health", "node", "address", "ports", "restarts", "exit_code", "message", "started_at", "up_to_date", "runtime_id", "pid"],
            web.Select(p => p.Key).ToArray());
        Assert.Equal("running", (string?)web["state"]);
        Assert.Equal("healthy", (string?)web["health"]);
        Assert.Equal("node-1", (string?)web["node"]);
        Assert.Equal("10.0.0.10", (string?)web["address"]);
        Assert.Equal(8080, (int)web["ports"]!["http"]!);
        Assert.Null(web["exit_code"]);
        Assert.Equal("waiting-dependencies", (string?)replicas[0]!["state"]);

        var all = JsonNode.Parse((await Cli.RunAsync(daemon, "ps", "-a", "-o", "json", "demo")).Stdout)!.AsArray();
        var exited = all.Single(r => (string?)r!["replica"] == "demo.web.1")!;
        Assert.Equal("exited", (string?)exited["state"]);
        Assert.Equal(3, (int)exited["exit_code"]!);
    }

    [Fact]
    public async Task Ps_table_is_aligned_plain_text_when_not_a_terminal()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "db", 0, ReplicaState.WaitingDependencies, HealthState.Unknown);

        var result = await Cli.RunAsync(daemon.Directory, daemon.Host, new Dictionary<string, string> { ["NO_COLOR"] = "" }, "ps");
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("\u001b[", result.Stdout);
        var lines = Lines(result.Stdout);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^REPLICA\s+SERVICE\s+STATE\s+HEALTH\s+NODE\s+ADDRESS/PORTS\s+RESTARTS\s+AGE$", lines[0]);
        Assert.Matches(@"^demo\.db\.0\s+db\s+waiting-dependencies\s+unknown\s+node-1\s+10\.0\.0\.10 http:8080\s+0\s+5m$", lines[1]);
        Assert.Matches(@"^demo\.web\.0\s+web\s+running\s+healthy\s+node-1\s+10\.0\.0\.10 http:8080\s+0\s+5m$", lines[2]);
        var column = lines[0].IndexOf("STATE", StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.Equal(column, l.IndexOf(l.Contains("waiting", StringComparison.Ordinal) ? "waiting" : "running", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Scale_status_inspect_and_down_work_through_the_api()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        var scale = await Cli.RunAsync(daemon, "scale", "web=4", "db=1");
        Assert.Equal(0, scale.ExitCode);
        Assert.Equal(["demo/web: scaled from 2 to 4 replicas", "demo/db: already 1 replicas"], Lines(scale.Stdout));

        var status = JsonNode.Parse((await Cli.RunAsync(daemon, "status", "-o", "json")).Stdout)!.AsArray();
        var web = status.Single()!["services"]!.AsArray().Single(s => (string?)s!["name"] == "web")!;
        Assert.Equal(4, (int)web["desired"]!);
        Assert.Equal(0, (int)web["healthy"]!);
        Assert.NotNull(web["depends_on"]);

        var table = await Cli.RunAsync(daemon, "status");
        Assert.Contains("demo  progressing  generation 1", table.Stdout);
        Assert.Matches(@"(?m)^  web\s+service\s+4\s+0\s+0\s+http http:80$", table.Stdout);

        var inspect = JsonNode.Parse((await Cli.RunAsync(daemon, "inspect", "demo")).Stdout)!;
        Assert.Equal("demo", (string?)inspect["name"]);
        Assert.Equal("nginx:alpine", (string?)inspect["spec"]!["services"]!["web"]!["image"]!["name"]);
        Assert.Equal(2, inspect["services"]!.AsArray().Count);
        var yaml = await Cli.RunAsync(daemon, "inspect", "demo", "-o", "yaml");
        Assert.Equal(0, yaml.ExitCode);
        Assert.Contains("name: demo", yaml.Stdout);

        var bad = await Cli.RunAsync(daemon, "scale", "web=lots");
        Assert.Equal(2, bad.ExitCode);
        var unknown = await Cli.RunAsync(daemon, "scale", "cache=1");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no deployment has a service 'cache'", unknown.Stderr);

        var down = await Cli.RunAsync(daemon, "down", "demo");
        Assert.Equal(0, down.ExitCode);
        Assert.Null(await daemon.Control.DeploymentRecordAsync("demo"));
        var again = await Cli.RunAsync(daemon, "down", "demo");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("zlayer: error: no deployment 'demo'", again.Stderr.Trim());
        var inspectGone = await Cli.RunAsync(daemon, "inspect", "demo");
        Assert.Equal(1, inspectGone.ExitCode);
    }

    [Fact]
    public async Task Inspect_of_a_service_shows_its_replicas_and_the_autoscalers_latest_decisions()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo.Replace(
            "scale: { mode: fixed, replicas: 2 }", "scale: { mode: adaptive, min: 1, max: 4, targets: { rps: 20 } }", StringComparison.Ordinal))).Dispose();

        // The record the autoscaler writes with each action (its own tests cover how it decides).
        var decision = new ScalingDecision(DateTimeOffset.Parse("2026-11-23T18:40:12Z", CultureInfo.InvariantCulture), 1, 4, "load", [new MetricReading("rps", 611.4, 20, 31)]);
        await daemon.Control.Repository.PutAsync(StateKeys.AutoscalerOf("demo", "web"), new AutoscalerRecord("demo", "web", [decision]));

        var inspect = await Cli.RunAsync(daemon, "inspect", "web");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        var web = JsonNode.Parse(inspect.Stdout)!;
        Assert.Equal(("demo", "web"), ((string?)web["deployment"], (string?)web["name"]));
        Assert.NotNull(web["replicas"]!.AsArray());
        var autoscaling = web["autoscaling"]!;
        Assert.Equal((1, 4, 30.0, 20L), ((int)autoscaling["min"]!, (int)autoscaling["max"]!, (double)autoscaling["cooldown_seconds"]!, (long)autoscaling["target_rps"]!));
        var shown = autoscaling["decisions"]!.AsArray().Single()!;
        Assert.Equal((1, 4, "load"), ((int)shown["from"]!, (int)shown["to"]!, (string?)shown["reason"]));
        Assert.Equal(("rps", 611.4, 20.0, 31), ((string?)shown["metrics"]![0]!["metric"], (double)shown["metrics"]![0]!["observed"]!, (double)shown["metrics"]![0]!["target"]!, (int)shown["metrics"]![0]!["wanted"]!));

        // db is fixed: no autoscaling block; -d chooses the deployment explicitly.
        var db = JsonNode.Parse((await Cli.RunAsync(daemon, "inspect", "db", "-d", "demo")).Stdout)!;
        Assert.Null(db["autoscaling"]);

        var yaml = await Cli.RunAsync(daemon, "inspect", "web", "-o", "yaml");
        Assert.Equal(0, yaml.ExitCode);
        Assert.Contains("target_rps: 20", yaml.Stdout);

        var unknown = await Cli.RunAsync(daemon, "inspect", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("zlayer: no deployment or service named 'nope' (see `zlayer status`)", unknown.Stderr.Trim());
    }

    [Fact]
    public async Task Scale_asks_which_deployment_when_a_service_name_is_ambiguous()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Other)).Dispose();

        var ambiguous = await Cli.RunAsync(daemon, "scale", "web=3");
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("service 'web' is in several deployments (demo, other); choose one with -d DEPLOYMENT", ambiguous.Stderr);

        var chosen = await Cli.RunAsync(daemon, "scale", "web=3", "-d", "other");
        Assert.Equal(0, chosen.ExitCode);
        Assert.Equal("other/web: scaled from 2 to 3 replicas", chosen.Stdout.Trim());
    }

    [Fact]
    public async Task Down_takes_the_deployment_name_from_the_spec_file()
    {
        await using var daemon = await TestDaemon.StartAsync();
        File.WriteAllText(Path.Combine(daemon.Directory, "zlayer.yaml"), Specs.Demo);
        Assert.Equal(0, (await Cli.RunAsync(daemon, "deploy")).ExitCode);
        var down = await Cli.RunAsync(daemon, "down");
        Assert.Equal(0, down.ExitCode);
        Assert.Equal("deployment 'demo' removed; its replicas are stopping", down.Stdout.Trim());
        Assert.Equal(2, (await Cli.RunAsync(daemon, "down", "demo", "-f", "zlayer.yaml")).ExitCode);
    }

    [Fact]
    public async Task Deploy_wait_times_out_naming_what_is_missing_and_succeeds_when_healthy()
    {
        await using var daemon = await TestDaemon.StartAsync();
        File.WriteAllText(Path.Combine(daemon.Directory, "zlayer.yaml"), Specs.Demo);
        var timedOut = await Cli.RunAsync(daemon, "deploy", "--wait", "--timeout", "1s");
        Assert.Equal(1, timedOut.ExitCode);
        Assert.Contains("timed out after 1s waiting for deployment 'demo': web has 0 of 2 healthy; db has 0 of 1 healthy", timedOut.Stderr);

        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 0);
        await Seed.ReplicaAsync(daemon.Control, "demo", "web", 1);
        await Seed.ReplicaAsync(daemon.Control, "demo", "db", 0);
        var healthy = await Cli.RunAsync(daemon, "deploy", "--wait", "--timeout", "30s");
        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("deployment 'demo' is healthy: web 2/2, db 1/1 healthy", healthy.Stdout);
    }

    [Fact]
    public async Task Events_lists_as_text_and_json_and_follows_until_interrupted()
    {
        await using var daemon = await TestDaemon.StartAsync();
        (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();

        var text = await Cli.RunAsync(daemon, "events");
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z deployment\.created demo generation 1: added web, db$", text.Stdout.Trim());

        var json = JsonNode.Parse((await Cli.RunAsync(daemon, "events", "-o", "json", "--since", "1h")).Stdout)!.AsArray();
        Assert.Equal("deployment.created", (string?)json.Single()!["type"]);
        Assert.Empty(JsonNode.Parse((await Cli.RunAsync(daemon, "events", "-o", "json", "--since", "2099-01-01T00:00:00Z")).Stdout)!.AsArray());
        Assert.Equal(2, (await Cli.RunAsync(daemon, "events", "--since", "soon")).ExitCode);

        using var follow = Process.Start(Cli.StartInfo(daemon.Directory, daemon.Host, null, "events", "-f", "-o", "json"))!;
        try
        {
            var stderr = follow.StandardError.ReadToEndAsync();
            var received = ReadLineAsync(follow.StandardOutput);

            // The follower may not be subscribed yet: keep scaling until it prints something.
            for (var i = 1; !received.IsCompleted && i < 100; i++)
            {
                (await daemon.Http.PostAsync("api/v1/deployments/demo/services/web/scale", new StringContent($"{{\"replicas\": {i}}}", System.Text.Encoding.UTF8, "application/json"))).Dispose();
                await Task.WhenAny(received, Task.Delay(200));
            }

            var line = JsonNode.Parse((await received)!)!;
            Assert.Equal("service.scaled", (string?)line["type"]);
            Assert.Equal("web", (string?)line["service"]);

            using (var kill = Process.Start("kill", ["-INT", follow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await follow.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, follow.ExitCode);
            Assert.Equal("", (await stderr).Trim());
        }
        finally
        {
            if (!follow.HasExited)
            {
                follow.Kill();
            }
        }
    }

    [Fact]
    public async Task Events_follow_resumes_after_a_daemon_restart_without_losing_an_event()
    {
        var daemon = await TestDaemon.StartAsync();
        try
        {
            (await DeploymentApiTests.DeployAsync(daemon.Http, Specs.Demo)).Dispose();
            using var follow = Process.Start(Cli.StartInfo(daemon.Directory, daemon.Host, null, "events", "-f", "-o", "json", "--since", "1h"))!;
            try
            {
                var stderr = follow.StandardError.ReadToEndAsync();
                Assert.Equal("deployment.created", (string?)JsonNode.Parse((await ReadLineAsync(follow.StandardOutput))!)!["type"]);

                // While the API is down, the control plane (another writer of the store) scales.
                daemon = await daemon.RestartAsync(async () =>
                {
                    await daemon.Control.ScaleAsync("demo", "web", 7);
                    await Task.Delay(1500);
                });

                var resumed = JsonNode.Parse((await ReadLineAsync(follow.StandardOutput))!)!;
                Assert.Equal("service.scaled", (string?)resumed["type"]);
                Assert.Equal("scaled to 7", (string?)resumed["message"]);

                using (var kill = Process.Start("kill", ["-INT", follow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await follow.WaitForExitAsync(deadline.Token);
                Assert.Equal(0, follow.ExitCode);
                Assert.Equal("zlayer: lost the event stream; reconnecting…", (await stderr).Trim());
            }
            finally
            {
                if (!follow.HasExited)
                {
                    follow.Kill();
                }
            }
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await reader.ReadLineAsync(timeout.Token);
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
