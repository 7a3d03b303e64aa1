using ZLayer.Control.Agent;
using ZLayer.Control.Model;
using ZLayer.Runtime.Process;

namespace ZLayer.Control.Tests.Agent;

/// <summary>
/// The node agent's reconcile loop over real parts: deployments written through the API, assignments
/// from scheduler passes, replicas run as host processes. The agent's clock is fake, so restart
/// backoff and dependency polls move only when a test advances it.
/// </summary>
public sealed class NodeAgentTests : AgentFixture
{
    private const string Sleeper = "exec sleep 300";

    [Fact]
    public async Task A_fixed_service_of_two_replicas_runs_two_processes()
    {
        await DeployAsync(Spec("demo", Service("web", Sleeper, replicas: 2)));

        await ScheduleAndReconcileAsync();

        var web1 = await WaitForStatusAsync("demo.web.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running with a pid");
        var web2 = await WaitForStatusAsync("demo.web.2", s => s is { State: ReplicaState.Running, Pid: not null }, "running with a pid");
        Assert.NotEqual(web1.Pid, web2.Pid);
        Assert.True(IsAlive(web1.Pid!.Value), "web.1's process runs");
        Assert.True(IsAlive(web2.Pid!.Value), "web.2's process runs");
        Assert.All([web1, web2], s => Assert.Equal((NodeId, 0, HealthState.Healthy), (s.Node, s.Restarts, s.Health)));
        foreach (var id in new[] { "demo.web.1", "demo.web.2" })
        {
            Assert.Single(await EventsAsync("replica.creating", id));
            Assert.Single(await EventsAsync("replica.running", id));
            var found = Agent.Find(id);
            Assert.NotNull(found);
            Assert.Equal(("process", id), (found.Value.Runtime.Name, found.Value.Handle.ReplicaId));
        }

        Assert.Null(Agent.Find("demo.web.3"));

        // Another pass over the same assignments neither restarts nor duplicates anything.
        await ScheduleAndReconcileAsync();
        Assert.Equal(web1.Pid, (await StatusAsync("demo.web.1"))?.Pid);
        Assert.Equal(web2.Pid, (await StatusAsync("demo.web.2"))?.Pid);
        Assert.Single(await EventsAsync("replica.creating", "demo.web.1"));
        Assert.Single(await EventsAsync("replica.creating", "demo.web.2"));
    }

    [Fact]
    public async Task An_exiting_replica_restarts_only_after_its_backoff_and_then_crash_loops()
    {
        const string id = "demo.crash.1";
        await DeployAsync(Spec("demo", Service("crash", "exit 3")));
        await ScheduleAndReconcileAsync();

        for (var failure = 1; failure <= RestartBackoff.CrashLoopThreshold; failure++)
        {
            var exited = await WaitForStatusAsync(id, s => s.Restarts == failure, $"exit number {failure}");
            var delay = RestartBackoff.Delay(failure);
            Assert.Equal(failure < RestartBackoff.CrashLoopThreshold ? ReplicaState.Exited : ReplicaState.CrashLoop, exited.State);
            Assert.Equal(3, exited.ExitCode);
            Assert.Contains($"restarting in {delay.TotalSeconds:0.#}s", exited.Message, StringComparison.Ordinal);
            Assert.Equal(failure, (await EventsAsync("replica.running", id)).Count);

            // The supervisor now sleeps on the clock: just short of the delay, nothing moves.
            await WaitForTimersAsync(1, $"the backoff after exit {failure}");
            Clock.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, Clock.ActiveTimers - IdleTimers);
            var waiting = await StatusAsync(id);
            Assert.NotNull(waiting);
            Assert.Equal((exited.State, failure), (waiting.State, waiting.Restarts));
            Assert.Equal(failure, (await EventsAsync("replica.running", id)).Count);
            await Agent.ReconcileAsync(CancellationToken.None);
            Assert.Equal(failure, (await EventsAsync("replica.running", id)).Count);

            if (failure < RestartBackoff.CrashLoopThreshold)
            {
                // The last millisecond releases it: it runs again (and exits again).
                Clock.Advance(TimeSpan.FromMilliseconds(1));
                await WaitUntilAsync(async () => (await EventsAsync("replica.running", id)).Count == failure + 1, $"{id} to run again after {delay}");
            }
        }

        Assert.Single(await EventsAsync("replica.crash-loop", id));

        // A crash-looping replica waiting on its backoff still stops when told to.
        await Agent.StopAllAsync();
        Assert.Null(await StatusAsync(id));
        Assert.Equal(0, Clock.ActiveTimers - IdleTimers);
    }

    [Fact]
    public async Task On_panic_shutdown_leaves_an_exited_replica_failed_and_never_restarts_it()
    {
        const string id = "demo.fatal.1";
        await DeployAsync(Spec("demo", Service("fatal", "exit 3", extra: "    errors:\n      on_panic: { action: shutdown }\n")));
        await ScheduleAndReconcileAsync();

        var failed = await WaitForStatusAsync(id, s => s.State == ReplicaState.Failed, "failed");
        Assert.Equal((3, 0), (failed.ExitCode, failed.Restarts));
        Assert.Contains("on_panic: shutdown", failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, Clock.ActiveTimers - IdleTimers);

        // Well past any backoff, and through more agent passes, it stays down.
        Clock.Advance(RestartBackoff.Max * 2);
        await ScheduleAndReconcileAsync();
        Clock.Advance(RestartBackoff.Max * 2);
        await ScheduleAndReconcileAsync();

        var after = await StatusAsync(id);
        Assert.NotNull(after);
        Assert.Equal((ReplicaState.Failed, 0, 3), (after.State, after.Restarts, after.ExitCode));
        Assert.Single(await EventsAsync("replica.creating", id));
        Assert.Single(await EventsAsync("replica.running", id));
        Assert.Single(await EventsAsync("replica.failed", id));
    }

    [Fact]
    public async Task A_replica_that_depends_on_a_started_service_waits_until_it_runs()
    {
        await DeployAsync(Spec("demo",
            Service("db", Sleeper),
            Service("api", Sleeper, extra: "    depends:\n      - { service: db, condition: started }\n")));

        // No db replica at first, so api's dependency cannot be met by a race with its start.
        await Control.ScaleAsync("demo", "db", 0);
        await ScheduleAndReconcileAsync();

        var waiting = await WaitForStatusAsync("demo.api.1", s => s.State == ReplicaState.WaitingDependencies, "waiting for db");
        Assert.Null(waiting.Pid);
        await WaitForTimersAsync(1, "api's dependency poll");
        Assert.Contains(await EventsAsync("replica.info", "demo.api.1"), e => e.Message.Contains("waiting for db to be started", StringComparison.Ordinal));

        // Polls come and go; without db it keeps waiting.
        Clock.Advance(DependencyGate.PollInterval);
        await WaitForTimersAsync(1, "api's next dependency poll");
        Assert.Equal(ReplicaState.WaitingDependencies, (await StatusAsync("demo.api.1"))?.State);
        Assert.Empty(await EventsAsync("replica.creating", "demo.api.1"));

        await Control.ScaleAsync("demo", "db", 1);
        await ScheduleAndReconcileAsync();
        await WaitForStatusAsync("demo.db.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running");

        // api sees db at its next poll, due on the (fake) clock.
        Assert.Equal(ReplicaState.WaitingDependencies, (await StatusAsync("demo.api.1"))?.State);
        Clock.Advance(DependencyGate.PollInterval);
        var api = await WaitForStatusAsync("demo.api.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running after db");
        Assert.True(IsAlive(api.Pid!.Value));

        var dbRunning = Assert.Single(await EventsAsync("replica.running", "demo.db.1"));
        var apiCreating = Assert.Single(await EventsAsync("replica.creating", "demo.api.1"));
        Assert.True(apiCreating.Sequence > dbRunning.Sequence, "api was created only after db was running");
    }

    [Fact]
    public async Task Scaling_down_stops_the_highest_index_and_keeps_the_other_running()
    {
        await DeployAsync(Spec("demo", Service("web", Sleeper, replicas: 2)));
        await ScheduleAndReconcileAsync();
        var web1 = await WaitForStatusAsync("demo.web.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running");
        var web2 = await WaitForStatusAsync("demo.web.2", s => s is { State: ReplicaState.Running, Pid: not null }, "running");

        await Control.ScaleAsync("demo", "web", 1);
        await ScheduleAndReconcileAsync();

        await WaitForExitAsync(web2.Pid!.Value, "web.2, scaled away");
        await WaitUntilAsync(async () => await StatusAsync("demo.web.2") is null, "web.2's status to be removed");
        await Agent.ReconcileAsync(CancellationToken.None);

        Assert.Null(Agent.Find("demo.web.2"));
        Assert.NotEmpty(await EventsAsync("replica.stopping", "demo.web.2"));
        Assert.False(Directory.Exists(Path.Combine(ReplicasDirectory, "demo.web.2")), "web.2's runtime files are removed");

        Assert.True(IsAlive(web1.Pid!.Value), "web.1 keeps running");
        var kept = await StatusAsync("demo.web.1");
        Assert.NotNull(kept);
        Assert.Equal((ReplicaState.Running, web1.Pid, 0), (kept.State, kept.Pid, kept.Restarts));
        Assert.Empty(await EventsAsync("replica.stopping", "demo.web.1"));
        Assert.NotNull(Agent.Find("demo.web.1"));
    }

    [Fact]
    public async Task StopAll_stops_every_replica_dependents_first_and_the_loop_starts_nothing_after()
    {
        await DeployAsync(Spec("demo",
            Service("db", Sleeper),
            Service("api", Sleeper, replicas: 2, extra: "    depends:\n      - { service: db, condition: started }\n")));
        await ScheduleAndReconcileAsync();
        var db = await WaitForStatusAsync("demo.db.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running");

        // The api replicas may have polled before db ran: let each due poll happen until both run.
        await WaitUntilAsync(async () =>
        {
            if (Clock.ActiveTimers > IdleTimers)
            {
                Clock.Advance(DependencyGate.PollInterval);
            }

            var statuses = await Task.WhenAll(StatusAsync("demo.api.1"), StatusAsync("demo.api.2"));
            return statuses.All(s => s is { State: ReplicaState.Running, Pid: not null });
        }, "both api replicas to run");
        var pids = new List<int> { db.Pid!.Value };
        foreach (var id in new[] { "demo.api.1", "demo.api.2" })
        {
            pids.Add((await WaitForStatusAsync(id, s => s.Pid is not null, "its pid")).Pid!.Value);
        }

        Assert.All(pids, pid => Assert.True(IsAlive(pid), $"pid {pid} runs"));

        await Agent.StopAllAsync();

        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"pid {pid} is stopped"));
        Assert.Empty(await Control.ReplicasAsync("demo"));
        Assert.Null(Agent.Find("demo.db.1"));

        // Reverse dependency order: both api replicas were stopped before db got its signal.
        var dbStopping = Assert.Single(await EventsAsync("replica.stopping", "demo.db.1"));
        foreach (var id in new[] { "demo.api.1", "demo.api.2" })
        {
            var stopped = Assert.Single(await EventsAsync("replica.exited", id), e => e.Message == "stopped");
            Assert.True(stopped.Sequence < dbStopping.Sequence, $"{id} was stopped before db");
        }

        // The assignments are still there, but a draining agent starts nothing again.
        await ScheduleAndReconcileAsync();
        Assert.Empty(await Control.ReplicasAsync("demo"));
        Assert.Single(await EventsAsync("replica.creating", "demo.db.1"));
    }

    [Fact]
    public async Task RunAsync_follows_the_store_and_a_restarted_agent_readopts_running_replicas()
    {
        await DeployAsync(Spec("demo", Service("web", Sleeper)));
        using var shutdown = new CancellationTokenSource();
        var loop = Agent.RunAsync(shutdown.Token);

        // No explicit agent pass: the loop sees the scheduler's writes by itself.
        await Scheduler.ReconcileAsync();
        var web1 = await WaitForStatusAsync("demo.web.1", s => s is { State: ReplicaState.Running, Pid: not null }, "running");
        await Control.ScaleAsync("demo", "web", 2);
        await Scheduler.ReconcileAsync();
        var web2 = await WaitForStatusAsync("demo.web.2", s => s is { State: ReplicaState.Running, Pid: not null }, "running");

        // A daemon shutdown ends supervision only: the replicas keep running.
        await shutdown.CancelAsync();
        await loop.WaitAsync(Deadline);
        Assert.True(IsAlive(web1.Pid!.Value) && IsAlive(web2.Pid!.Value), "replicas outlive the agent loop");

        // A new daemon instance over the same runtime directory adopts them instead of starting new ones.
        using var runtime = new ProcessRuntime(ReplicasDirectory, TimeProvider.System);
        var restarted = NewAgent(runtime);
        using var shutdown2 = new CancellationTokenSource();
        var loop2 = restarted.RunAsync(shutdown2.Token);
        try
        {
            foreach (var (id, before) in new[] { ("demo.web.1", web1), ("demo.web.2", web2) })
            {
                var adopted = await WaitForStatusAsync(id, s => s.Message == "re-adopted after a daemon restart", "re-adopted");
                Assert.Equal((ReplicaState.Running, before.Pid), (adopted.State, adopted.Pid));
                Assert.Single(await EventsAsync("replica.creating", id));
                Assert.NotNull(restarted.Find(id));
            }
        }
        finally
        {
            await restarted.StopAllAsync().WaitAsync(Deadline);
            await shutdown2.CancelAsync();
            await loop2.WaitAsync(Deadline);
        }

        Assert.False(IsAlive(web1.Pid!.Value) || IsAlive(web2.Pid!.Value), "the adopting agent stopped them");
        Assert.Empty(await Control.ReplicasAsync("demo"));
    }
}
