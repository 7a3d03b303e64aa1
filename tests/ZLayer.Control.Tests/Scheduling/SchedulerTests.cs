using ZLayer.Control.Model;
using ZLayer.Control.Scheduling;
using ZLayer.Control.State;

namespace ZLayer.Control.Tests.Scheduling;

/// <summary>
/// The scheduler, one <see cref="Scheduler.ReconcileAsync"/> pass at a time, over desired state written
/// through the same APIs `zlayer deploy`, `zlayer scale` and `zlayer job run` use.
/// </summary>
public sealed class SchedulerTests : SchedulingFixture
{
    private Scheduler Scheduler => new(Repository, Events, NodeId);

    [Fact]
    public async Task Fixed_mode_assigns_replicas_one_to_n_to_the_node()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 3 }")));

        Assert.Equal(3, await Scheduler.ReconcileAsync());

        var web = await AssignmentsAsync("demo", "web");
        var hash = await HashOfAsync("demo", "web");
        Assert.Equal([1, 2, 3], web.Select(a => a.Index));
        Assert.Equal(["demo.web.1", "demo.web.2", "demo.web.3"], web.Select(a => a.ReplicaId));
        Assert.All(web, a => Assert.Equal((NodeId, 1L, hash), (a.Node, a.Generation, a.SpecHash)));
    }

    [Fact]
    public async Task A_second_pass_over_unchanged_state_changes_nothing()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        await Scheduler.ReconcileAsync();
        var before = await AssignmentsAsync("demo", "web");
        var events = (await Events.ListAsync()).Count;

        // Level-triggered: the periodic resync runs this every few seconds, and must not churn replicas.
        Assert.Equal(0, await Scheduler.ReconcileAsync());
        Assert.Equal(before, await AssignmentsAsync("demo", "web"));
        Assert.Equal(events, (await Events.ListAsync()).Count);
    }

    [Fact]
    public async Task A_scale_override_sets_the_replica_count()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        await Scheduler.ReconcileAsync();
        var before = await AssignmentsAsync("demo", "web");

        await Control.ScaleAsync("demo", "web", 5);
        Assert.Equal(3, await Scheduler.ReconcileAsync());

        var web = await AssignmentsAsync("demo", "web");
        Assert.Equal([1, 2, 3, 4, 5], web.Select(a => a.Index));

        // The replicas that were already running are left alone; only new ones are added.
        Assert.Equal(before, web.Take(2));
    }

    [Fact]
    public async Task Scaling_down_removes_the_highest_indexes_first_and_keeps_the_lowest()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 5 }")));
        await Scheduler.ReconcileAsync();
        var before = await AssignmentsAsync("demo", "web");

        await Control.ScaleAsync("demo", "web", 2);
        Assert.Equal(3, await Scheduler.ReconcileAsync());

        // web.1 and web.2 keep their assignments untouched, so their replicas keep running.
        Assert.Equal(before.Take(2), await AssignmentsAsync("demo", "web"));
        Assert.Equal(["demo.web.5", "demo.web.4", "demo.web.3"], (await EventsAsync("replica.unscheduled")).Select(e => e.Replica));
    }

    [Fact]
    public async Task Scaling_to_zero_removes_every_replica_and_scaling_up_again_restarts_from_index_one()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        await Scheduler.ReconcileAsync();

        await Control.ScaleAsync("demo", "web", 0);
        await Scheduler.ReconcileAsync();
        Assert.Empty(await AssignmentsAsync("demo", "web"));

        await Control.ScaleAsync("demo", "web", 1);
        await Scheduler.ReconcileAsync();
        Assert.Equal([1], (await AssignmentsAsync("demo", "web")).Select(a => a.Index));
    }

    [Theory]
    [InlineData("{ mode: adaptive, min: 2, max: 8 }", 2)]
    [InlineData("{ mode: adaptive, min: 0, max: 3 }", 0)]
    [InlineData(null, 1)] // No scale block: adaptive with min 1 (docs/spec.md).
    [InlineData("{ mode: manual }", 0)]
    public async Task Adaptive_and_manual_modes_start_at_their_initial_count(string? scale, int expected)
    {
        await DeployAsync(Spec("demo", Service("web", scale)));

        await Scheduler.ReconcileAsync();

        Assert.Equal(Enumerable.Range(1, expected), (await AssignmentsAsync("demo", "web")).Select(a => a.Index));
    }

    [Fact]
    public async Task Removing_a_deployment_removes_its_assignments_and_no_others()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        await DeployAsync(Spec("other", Service("api", "{ mode: fixed, replicas: 1 }")));
        await Scheduler.ReconcileAsync();
        var other = await Repository.AssignmentsAsync("other");

        Assert.True(await Control.RemoveDeploymentAsync("demo"));
        Assert.Equal(2, await Scheduler.ReconcileAsync());

        Assert.Empty(await Repository.AssignmentsAsync("demo"));
        Assert.Equal(other, await Repository.AssignmentsAsync("other"));
        Assert.Equal(["demo.web.2", "demo.web.1"], (await EventsAsync("replica.unscheduled")).Select(e => e.Replica));
    }

    [Fact]
    public async Task Job_and_cron_services_get_no_standing_replicas()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 1 }"), Job("migrate"), Cron("nightly", "0 30 2 * * *")));

        await Scheduler.ReconcileAsync();

        Assert.Equal(["demo.web.1"], (await Repository.AssignmentsAsync()).Select(a => a.ReplicaId));
    }

    [Fact]
    public async Task A_pending_job_run_becomes_a_replica_numbered_as_the_run_until_it_finishes()
    {
        await DeployAsync(Spec("demo", Job("migrate")));
        var first = await Jobs.TriggerAsync("demo", "migrate", "manual");
        var second = await Jobs.TriggerAsync("demo", "migrate", "manual");

        Assert.Equal(2, await Scheduler.ReconcileAsync());
        var runs = await AssignmentsAsync("demo", "migrate");
        var hash = await HashOfAsync("demo", "migrate");
        Assert.Equal([(1, "demo.migrate.1"), (2, "demo.migrate.2")], runs.Select(a => (a.Index, a.ReplicaId)));
        Assert.All(runs, a => Assert.Equal((NodeId, hash), (a.Node, a.SpecHash)));

        // A run that ended is not started again: its replica goes, the other run's stays.
        await Jobs.FinishAsync(first, 0, null, "done\n");
        Assert.Equal(1, await Scheduler.ReconcileAsync());
        Assert.Equal([second.Number], (await AssignmentsAsync("demo", "migrate")).Select(a => a.Index));
    }

    [Fact]
    public async Task A_run_left_unfinished_by_down_is_not_started_again_when_the_deployment_comes_back()
    {
        await DeployAsync(Spec("demo", Job("migrate")));
        await Jobs.MarkRunningAsync(await Jobs.TriggerAsync("demo", "migrate", "manual"));
        await Scheduler.ReconcileAsync();

        // `zlayer down` stops the run's replica without an outcome; the same spec deployed again
        // must not run the old migration a second time.
        Assert.True(await Control.RemoveDeploymentAsync("demo"));
        await Scheduler.ReconcileAsync();
        await DeployAsync(Spec("demo", Job("migrate")));
        await Scheduler.ReconcileAsync();

        Assert.Empty(await AssignmentsAsync("demo", "migrate"));
        Assert.Empty(await Jobs.ListAsync("demo", "migrate"));
    }

    [Fact]
    public async Task Changing_a_service_changes_its_spec_hash_and_unchanged_services_keep_theirs()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }"), Service("worker", "{ mode: fixed, replicas: 1 }")));
        await Scheduler.ReconcileAsync();
        var oldWeb = await AssignmentsAsync("demo", "web");
        var worker = await AssignmentsAsync("demo", "worker");

        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }", sleep: "200"), Service("worker", "{ mode: fixed, replicas: 1 }")));
        Assert.Equal(2, await Scheduler.ReconcileAsync());

        // The agent replaces a replica whose assignment carries another hash: web's must change, in place.
        var newHash = await HashOfAsync("demo", "web");
        var web = await AssignmentsAsync("demo", "web");
        Assert.NotEqual(oldWeb[0].SpecHash, newHash);
        Assert.Equal([(1, newHash, 2L), (2, newHash, 2L)], web.Select(a => (a.Index, a.SpecHash, a.Generation)));
        Assert.Equal(["demo.web.1", "demo.web.2"], (await EventsAsync("replica.updated")).Select(e => e.Replica));

        // worker's spec did not change, so its replica must not be restarted by the deploy.
        Assert.Equal(worker, await AssignmentsAsync("demo", "worker"));
    }

    [Fact]
    public async Task Scheduled_and_unscheduled_replicas_are_recorded_as_events()
    {
        await DeployAsync(Spec("demo", Service("web", "{ mode: fixed, replicas: 2 }")));
        await Scheduler.ReconcileAsync();
        await Control.ScaleAsync("demo", "web", 1);
        await Scheduler.ReconcileAsync();

        Assert.Equal(
            [("demo", "web", "demo.web.1", $"assigned to node {NodeId}"), ("demo", "web", "demo.web.2", $"assigned to node {NodeId}")],
            (await EventsAsync("replica.scheduled")).Select(e => (e.Deployment, e.Service, e.Replica, e.Message)));
        Assert.Equal(
            [("demo", "web", "demo.web.2", "no longer wanted; the replica will be stopped")],
            (await EventsAsync("replica.unscheduled")).Select(e => (e.Deployment, e.Service, e.Replica, e.Message)));
    }

    /// <summary>The hash the scheduler should stamp: of the service as currently deployed.</summary>
    private async Task<string> HashOfAsync(string deployment, string service)
    {
        var record = await Control.DeploymentRecordAsync(deployment);
        Assert.NotNull(record);
        return SpecHash.Of(DeploymentSpecs.Parse(record).Services[service]);
    }
}
