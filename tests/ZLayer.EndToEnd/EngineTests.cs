using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ZLayer.EndToEnd;

/// <summary>
/// The single-node engine end to end: a real daemon with the process runtime, driven by the real
/// CLI. Replicas are real processes (the demo server shipped in the zlayer binary, and sh).
/// </summary>
public sealed class EngineTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public Task InitializeAsync() => _daemon.StartAsync();

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private static string Get(JsonObject o, string key) => o[key]?.ToString() ?? "";

    private async Task<List<JsonObject>> ReplicasOf(string service) =>
        [.. (await _daemon.ReplicasAsync()).Where(r => Get(r, "service") == service)];

    private Task WaitAsync(Func<List<JsonObject>, bool> condition, string what) =>
        Eventually.HoldsAsync(async () => condition(await _daemon.ReplicasAsync()), Converge, what);

    [Fact]
    public async Task Dependencies_start_in_order_and_replicas_are_healthy()
    {
        var spec = _daemon.WriteSpec("app.zlayer.yaml", """
            version: v1
            deployment: ordered
            services:
              web:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints: [{ name: http, protocol: http, port: 18080 }]
                health: { start_grace: 0s, interval: 1s, check: { type: http, url: "http://localhost:18080/healthz" } }
                scale: { mode: fixed, replicas: 2 }
                depends: [{ service: db, condition: healthy, timeout: 60s }]
              db:
                runtime: process
                command: { entrypoint: [zlayer, demo-server] }
                endpoints: [{ name: pg, protocol: tcp, port: 15432 }]
                health: { start_grace: 2s, interval: 1s, check: { type: tcp, port: 15432 } }
                scale: { mode: fixed, replicas: 1 }
            """);
        var deploy = await _daemon.RunAsync("deploy", spec);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);

        await WaitAsync(r => r.Count(x => Get(x, "state") == "running" && Get(x, "health") == "healthy") == 3, "3 healthy replicas");
        var events = await _daemon.EventsAsync();
        var dbHealthy = events.FindIndex(e => Get(e, "replica") == "ordered.db.1" && Get(e, "type") == "replica.healthy");
        var webCreated = events.FindIndex(e => Get(e, "replica") == "ordered.web.1" && Get(e, "type") == "replica.creating");
        Assert.True(dbHealthy >= 0 && webCreated > dbHealthy, "db must be healthy before web is created:\n" + string.Join("\n", events.Select(e => e.ToJsonString())));

        // Each web replica has its own port, the demo server answers on it, and web knows where db is.
        var web = await ReplicasOf("web");
        var ports = web.Select(r => r["ports"]!["http"]!.GetValue<int>()).ToList();
        Assert.Equal(2, ports.Distinct().Count());
        using var http = new HttpClient();
        var answer = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[0]}/")))!;
        Assert.StartsWith("ordered.web.", answer["served_by"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_crashing_replica_backs_off_and_is_reported_crash_looping()
    {
        var spec = _daemon.WriteSpec("crash.zlayer.yaml", """
            version: v1
            deployment: crashy
            services:
              worker:
                runtime: process
                command: { entrypoint: [sh, -c, "echo starting; exit 3"] }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "worker" && Get(x, "state") == "crash-loop"), "worker reported crash-looping");
        var worker = (await ReplicasOf("worker")).Single();
        Assert.True(worker["restarts"]!.GetValue<int>() >= 5);
        Assert.Equal(3, worker["exit_code"]!.GetValue<int>());
        Assert.Contains("exited with code 3", Get(worker, "message"));

        // The restarts were spaced out by the backoff, not immediate.
        var restarts = (await _daemon.EventsAsync()).Where(e => Get(e, "replica") == "crashy.worker.1" && Get(e, "message").Contains("restarting in", StringComparison.Ordinal)).ToList();
        Assert.Contains(restarts, e => Get(e, "message").Contains("restarting in 4s", StringComparison.Ordinal) || Get(e, "message").Contains("restarting in 8s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_program_fails_with_the_os_error_and_backs_off()
    {
        var spec = _daemon.WriteSpec("missing.zlayer.yaml", """
            version: v1
            deployment: missing
            services:
              ghost:
                runtime: process
                command: { entrypoint: [no-such-program-zlayer] }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "ghost" && Get(x, "message").Contains("no-such-program-zlayer", StringComparison.Ordinal)), "ghost fails naming the program");
        var ghost = (await ReplicasOf("ghost")).Single();
        Assert.Contains(Get(ghost, "state"), new[] { "failed", "crash-loop" });
        Assert.Contains("restarting in", Get(ghost, "message"));
    }

    [Fact]
    public async Task An_unhealthy_replica_is_restarted()
    {
        var flag = Path.Combine(_daemon.Root, "healthy-flag");
        File.WriteAllText(flag, "");
        var spec = _daemon.WriteSpec("unhealthy.zlayer.yaml", $$"""
            version: v1
            deployment: sick
            services:
              api:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                health: { start_grace: 0s, interval: 1s, retries: 2, check: { type: command, command: "test -f {{flag}}" } }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "api" && Get(x, "health") == "healthy"), "api healthy");
        var pid = (await ReplicasOf("api")).Single()["pid"]!.GetValue<int>();

        File.Delete(flag);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "api" && x["restarts"]!.GetValue<int>() >= 1), "api restarted after failing its checks");
        File.WriteAllText(flag, "");
        await WaitAsync(r => r.Any(x => Get(x, "service") == "api" && Get(x, "health") == "healthy" && x["pid"]!.GetValue<int>() != pid), "api healthy again in a new process");
        Assert.Contains(await _daemon.EventsAsync(), e => Get(e, "replica") == "sick.api.1" && Get(e, "type") == "replica.unhealthy");
    }

    [Fact]
    public async Task Scale_up_and_down_removes_the_highest_index()
    {
        var spec = _daemon.WriteSpec("scale.zlayer.yaml", """
            version: v1
            deployment: scaly
            services:
              web:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Count(x => Get(x, "state") == "running") == 1, "1 running");

        Assert.Equal(0, (await _daemon.RunAsync("scale", "web=3")).ExitCode);
        await WaitAsync(r => r.Count(x => Get(x, "state") == "running") == 3, "3 running");

        Assert.Equal(0, (await _daemon.RunAsync("scale", "web=1")).ExitCode);
        await WaitAsync(r => r.Count == 1, "scaled back to 1");
        Assert.Equal(1, (await ReplicasOf("web")).Single()["index"]!.GetValue<int>());
    }

    [Fact]
    public async Task Init_failure_policies()
    {
        var spec = _daemon.WriteSpec("init.zlayer.yaml", """
            version: v1
            deployment: inits
            services:
              strict:
                runtime: process
                command: { entrypoint: [sh, -c, "sleep 600"] }
                init: { steps: [{ id: check, uses: init.run, with: { command: "exit 7" } }] }
                errors: { on_init_failure: { action: fail }, on_panic: { action: shutdown } }
                scale: { mode: fixed, replicas: 1 }
              patient:
                runtime: process
                command: { entrypoint: [sh, -c, "sleep 600"] }
                init: { steps: [{ id: check, uses: init.run, with: { command: "exit 7" } }] }
                errors: { on_init_failure: { action: backoff }, on_panic: { action: shutdown } }
                scale: { mode: fixed, replicas: 1 }
              lenient:
                runtime: process
                command: { entrypoint: [sh, -c, "sleep 600"] }
                init: { steps: [{ id: check, uses: init.run, with: { command: "exit 7" }, on_failure: continue }] }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Any(x => Get(x, "service") == "lenient" && Get(x, "state") == "running"), "lenient runs despite the failed step");
        await WaitAsync(r => r.Any(x => Get(x, "service") == "strict" && Get(x, "state") == "failed"), "strict fails");
        await WaitAsync(r => r.Any(x => Get(x, "service") == "patient" && Get(x, "state") == "failed"), "patient fails after its retries");

        var strict = (await ReplicasOf("strict")).Single();
        Assert.Contains("init step 'check' (init.run) failed: `exit 7` exited 7", Get(strict, "message"));
        var events = await _daemon.EventsAsync();
        Assert.DoesNotContain(events, e => Get(e, "replica") == "inits.strict.1" && Get(e, "message").Contains("attempt 2 of", StringComparison.Ordinal));
        Assert.Contains(events, e => Get(e, "replica") == "inits.patient.1" && Get(e, "message").Contains("attempt 4 of 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_daemon_killed_with_sigkill_readopts_running_replicas_without_restarting_them()
    {
        var spec = _daemon.WriteSpec("adopt.zlayer.yaml", """
            version: v1
            deployment: adopt
            services:
              keep:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                scale: { mode: fixed, replicas: 2 }
              dies:
                runtime: process
                command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
                scale: { mode: fixed, replicas: 1 }
            """);
        Assert.Equal(0, (await _daemon.RunAsync("deploy", spec)).ExitCode);
        await WaitAsync(r => r.Count(x => Get(x, "state") == "running") == 3, "3 running");
        var before = (await _daemon.ReplicasAsync()).ToDictionary(r => Get(r, "replica"), r => r["pid"]!.GetValue<int>());

        _daemon.KillHard();
        Process.GetProcessById(before["adopt.dies.1"]).Kill();
        await _daemon.StartAsync();

        await WaitAsync(r => r.Count(x => Get(x, "state") == "running") == 3 && r.Single(x => Get(x, "replica") == "adopt.dies.1")["pid"]!.GetValue<int>() != before["adopt.dies.1"], "dead replica replaced, others adopted");
        var after = (await _daemon.ReplicasAsync()).ToDictionary(r => Get(r, "replica"), r => r);
        Assert.Equal(before["adopt.keep.1"], after["adopt.keep.1"]["pid"]!.GetValue<int>());
        Assert.Equal(before["adopt.keep.2"], after["adopt.keep.2"]["pid"]!.GetValue<int>());
        Assert.Equal(0, after["adopt.keep.1"]["restarts"]!.GetValue<int>());
        Assert.Equal(3, (await _daemon.ReplicasAsync()).Count);
    }
}
