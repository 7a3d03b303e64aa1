using ZLayer.Control.Scheduling;

namespace ZLayer.Control.Tests.Scheduling;

/// <summary>
/// The cron trigger, one <see cref="CronTrigger.CheckAsync"/> at a time, on a fake clock that starts
/// between two due times of "every 5 seconds" (00:00:02), so a run that fires at once would be wrong.
/// </summary>
public sealed class CronTriggerTests : SchedulingFixture
{
    private const string EveryFiveSeconds = "*/5 * * * * *";

    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 2, TimeSpan.Zero);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private CronTrigger? _trigger;

    public CronTriggerTests()
        : base(new FakeClock(Start))
    {
    }

    /// <summary>One trigger per test, made on first use (the store opens after the constructor); it remembers its last firings.</summary>
    private CronTrigger Trigger => _trigger ??= new CronTrigger(Repository, Jobs, Clock);

    [Fact]
    public async Task Nothing_is_triggered_before_the_first_due_time()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));

        // The first check only notes the service; 00:00:04 is still before the first due time, 00:00:05.
        Assert.Equal(0, await Trigger.CheckAsync());
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await Trigger.CheckAsync());

        Assert.Empty(await Jobs.ListAsync("demo", "nightly"));
        Assert.Empty(await EventsAsync("job.triggered"));
    }

    [Fact]
    public async Task Passing_a_due_time_triggers_exactly_one_cron_run()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        await Trigger.CheckAsync();

        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await Trigger.CheckAsync());

        // Checked again within the same second (the loop ticks every second): no second run.
        Assert.Equal(0, await Trigger.CheckAsync());
        var run = Assert.Single(await Jobs.ListAsync("demo", "nightly"));
        Assert.Equal((1, "cron", "pending", Start.AddSeconds(3)), (run.Number, run.Trigger, run.State, run.CreatedAt));
        Assert.Equal(["demo.nightly.1"], (await EventsAsync("job.triggered")).Select(e => e.Replica));
    }

    [Fact]
    public async Task Due_times_that_passed_between_two_checks_give_one_run_not_one_each()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        await Trigger.CheckAsync();

        // 00:00:05, 00:00:10 and 00:00:15 all passed (a stalled daemon): upstream does not make them up.
        Clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(1, await Trigger.CheckAsync());

        Assert.Equal(["cron"], (await Jobs.ListAsync("demo", "nightly")).Select(r => r.Trigger));
    }

    [Fact]
    public async Task A_due_time_after_the_previous_run_finished_triggers_the_next_run()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        await Trigger.CheckAsync();
        Clock.Advance(TimeSpan.FromSeconds(3));
        await Trigger.CheckAsync();
        var first = Assert.Single(await Jobs.ListAsync("demo", "nightly"));
        await Jobs.FinishAsync(first, 0, null, "hi\n");

        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await Trigger.CheckAsync());

        Assert.Equal(
            [(1, "succeeded"), (2, "pending")],
            (await Jobs.ListAsync("demo", "nightly")).Select(r => (r.Number, r.State)));
    }

    /// <summary>Run 1 fires at :05 and is running when :10 comes.</summary>
    private async Task DueWhileTheFirstRunStillRunsAsync()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        await Trigger.CheckAsync();
        Clock.Advance(TimeSpan.FromSeconds(3));
        await Trigger.CheckAsync();
        await Jobs.MarkRunningAsync(Assert.Single(await Jobs.ListAsync("demo", "nightly")));

        Clock.Advance(TimeSpan.FromSeconds(5));
        await Trigger.CheckAsync();
    }

    [Fact]
    public async Task A_due_time_while_the_previous_run_still_runs_starts_no_second_run()
    {
        await DueWhileTheFirstRunStillRunsAsync();

        // Two copies of a cron job at once is what skipping exists to prevent.
        Assert.Equal([1], (await Jobs.ListAsync("demo", "nightly")).Where(r => !r.IsFinished).Select(r => r.Number));
        var skipped = Assert.Single(await EventsAsync("job.skipped"));
        Assert.Equal(("demo", "nightly", "cron run 2 skipped: run 1 is still running"), (skipped.Deployment, skipped.Service, skipped.Message));
    }

    [Fact]
    public async Task A_due_time_while_the_previous_run_still_runs_is_listed_as_a_skipped_run()
    {
        await DueWhileTheFirstRunStillRunsAsync();

        // docs/guide.md: "a run due while the previous one still runs is recorded as `skipped`", and
        // `zlayer job ls` (the jobs API) shows the state "skipped"; so the skipped run must be stored.
        Assert.Equal(
            [(1, "cron", "running"), (2, "cron", "skipped")],
            (await Jobs.ListAsync("demo", "nightly")).Select(r => (r.Number, r.Trigger, r.State)));
    }

    [Fact]
    public async Task The_loop_checks_once_a_second_of_the_injected_clock()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        var idle = Clock.ActiveTimers;
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => Trigger.RunAsync(stop.Token));

        // The loop has finished a check when it arms its one-second wait; only then may the clock move,
        // or the advance would pass before the wait exists and fire nothing. 00:00:02 -> 00:00:05.
        for (var second = 0; second < 3; second++)
        {
            WaitForTheLoopToWait(idle);
            Clock.Advance(CronTrigger.Tick);
        }

        WaitForTheLoopToWait(idle);
        await stop.CancelAsync();
        await loop.WaitAsync(Deadline);

        var run = Assert.Single(await Jobs.ListAsync("demo", "nightly"));
        Assert.Equal(("cron", Start.AddSeconds(3)), (run.Trigger, run.CreatedAt));
    }

    [Fact]
    public async Task A_cron_run_becomes_a_replica_for_the_agent()
    {
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));
        var scheduler = new Scheduler(Repository, Events, NodeId);
        await Trigger.CheckAsync();
        await scheduler.ReconcileAsync();
        Assert.Empty(await Repository.AssignmentsAsync("demo"));

        Clock.Advance(TimeSpan.FromSeconds(3));
        await Trigger.CheckAsync();
        await scheduler.ReconcileAsync();

        Assert.Equal(["demo.nightly.1"], (await Repository.AssignmentsAsync("demo")).Select(a => a.ReplicaId));
    }

    [Fact]
    public async Task A_service_deployed_after_the_trigger_started_counts_from_when_it_was_first_seen()
    {
        await Trigger.CheckAsync();
        Clock.Advance(TimeSpan.FromSeconds(2));
        await DeployAsync(Spec("demo", Cron("nightly", EveryFiveSeconds)));

        // Seen at 00:00:04; 00:00:05 is its first due time, not anything before the deploy.
        Assert.Equal(0, await Trigger.CheckAsync());
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Trigger.CheckAsync());
    }

    private void WaitForTheLoopToWait(int idle) =>
        Assert.True(SpinWait.SpinUntil(() => Clock.ActiveTimers == idle + 1, Deadline), "the cron loop did not come back to its one-second wait");
}
