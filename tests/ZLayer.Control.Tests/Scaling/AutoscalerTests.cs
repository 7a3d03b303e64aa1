using ZLayer.Control.Scaling;
using ZLayer.Control.Scheduling;
using ZLayer.Control.State;
using ZLayer.Control.Tests.Scheduling;

namespace ZLayer.Control.Tests.Scaling;

/// <summary>
/// The autoscaler one pass at a time on a fake clock, over a real store and the deploy and scale
/// APIs, with load set by hand. Passes are <see cref="AutoscalerOptions.Interval"/> apart, as the
/// daemon's loop runs them.
/// </summary>
public sealed class AutoscalerTests : SchedulingFixture
{
    private static readonly TimeSpan Interval = new AutoscalerOptions().Interval;
    private static readonly TimeSpan Window = new AutoscalerOptions().ScaleDownWindow;

    private readonly FakeScalingMetrics _load = new();
    private Autoscaler? _autoscaler;

    private Autoscaler Autoscaler => _autoscaler ??= new Autoscaler(Repository, Events, _load, Clock);

    private static string Adaptive(string scale, string resources = "") =>
        Spec("demo", $"  web:\n    runtime: process\n    command: {{ entrypoint: [sleep, \"100\"] }}\n    scale: {scale}\n{resources}");

    /// <summary>The count the scheduler acts on: the override the autoscaler (or `zlayer scale`) wrote, else the spec's initial count.</summary>
    private async Task<int> DesiredAsync() => (await Control.DeploymentAsync("demo"))!.Services.Single(s => s.Name == "web").Desired;

    /// <summary>Passes one interval apart for <paramref name="span"/>; returns the actions taken.</summary>
    private async Task<List<ScalingDecision>> RunForAsync(TimeSpan span)
    {
        var actions = new List<ScalingDecision>();
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += Interval)
        {
            Clock.Advance(Interval);
            actions.AddRange(await Autoscaler.EvaluateAsync());
        }

        return actions;
    }

    [Fact]
    public async Task Load_at_four_times_the_rps_target_scales_up_to_four_at_once_and_the_scheduler_follows()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", replicas: 1, total: 40);

        // The first pass after deploy: deploying is not an action, so no cooldown holds it back.
        var decision = Assert.Single(await Autoscaler.EvaluateAsync());

        Assert.Equal((1, 4, "load"), (decision.From, decision.To, decision.Reason));
        Assert.Equal([new MetricReading("rps", 40, 10, 4)], decision.Metrics);
        Assert.Equal(4, await DesiredAsync());
        await new Scheduler(Repository, Events, NodeId).ReconcileAsync();
        Assert.Equal([1, 2, 3, 4], (await AssignmentsAsync("demo", "web")).Select(a => a.Index));

        var scaled = Assert.Single(await EventsAsync("service.scaled"));
        Assert.Equal(("demo", "web"), (scaled.Deployment, scaled.Service));
        Assert.Equal("autoscaler scaled up from 1 to 4 (load): rps 40/10 per replica", scaled.Message);
        var overrideRecord = Assert.Single(await Repository.ScaleOverridesAsync());
        Assert.Equal("autoscaler", overrideRecord.Source);
    }

    [Fact]
    public async Task A_load_step_is_smoothed_so_it_takes_a_second_sample_to_act_on_a_moderate_rise()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 5);
        var idle = await RunForAsync(Interval * 3);
        Assert.True(idle.Count == 0, string.Join('\n', idle.Select(d => d.Describe())));

        // 16 req/s against 10: the average moves halfway (10.5, inside the 10% tolerance), then to 13.25.
        _load.SetRequests("demo", "web", 1, 16);
        Assert.Empty(await RunForAsync(Interval));
        var decision = Assert.Single(await RunForAsync(Interval));

        Assert.Equal((1, 2), (decision.From, decision.To));
        Assert.Equal(13.25, decision.Metrics.Single().Observed, 3);
    }

    [Fact]
    public async Task The_count_never_goes_beyond_max_however_high_the_load()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 4, targets: { cpu: 50 } }"));
        _load.SetUsage("demo", "web", 1, cpuPercent: 100 * 50);

        var decision = Assert.Single(await RunForAsync(Interval));
        Assert.Equal((1, 4), (decision.From, decision.To));
        Assert.Equal(100, decision.Metrics.Single().Wanted);

        // Still far over target, but at max: nothing more to do, and nothing recorded.
        _load.SetUsage("demo", "web", 4, cpuPercent: 100 * 12);
        Assert.Empty(await RunForAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(4, await DesiredAsync());
    }

    [Fact]
    public async Task Scale_down_waits_until_the_load_has_been_low_for_the_whole_window()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, cooldown: 10s, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 40);
        Assert.Single(await RunForAsync(Interval));
        _load.SetRequests("demo", "web", 4, 40);
        Assert.Empty(await RunForAsync(TimeSpan.FromMinutes(1)));

        // The load drops to a tenth; the count holds for a whole window, however low it stays.
        _load.SetRequests("demo", "web", 4, 4);
        var drop = Clock.GetUtcNow();
        Assert.Empty(await RunForAsync(Window - Interval));
        Assert.Equal(4, await DesiredAsync());

        // Then it follows the recommendations as they leave the window (the smoothed load took a
        // few samples to fall), one cooldown apart, down to what the load needs.
        var downs = await RunForAsync(TimeSpan.FromMinutes(1));
        Assert.NotEmpty(downs);
        Assert.All(downs, d => Assert.True(d.To < d.From && d.Time >= drop + Window, d.Describe()));
        Assert.Equal((1, "load"), (downs[^1].To, downs[^1].Reason));
        Assert.Equal($"autoscaler scaled down from {downs[^1].From} to 1 (load): rps 1/10 per replica", (await EventsAsync("service.scaled"))[^1].Message);
    }

    [Fact]
    public async Task A_dip_shorter_than_the_window_removes_nothing()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 30);
        Assert.Single(await RunForAsync(Interval));
        _load.SetRequests("demo", "web", 3, 30);
        Assert.Empty(await RunForAsync(Window));

        for (var burst = 0; burst < 3; burst++)
        {
            _load.SetRequests("demo", "web", 3, 3);
            Assert.Empty(await RunForAsync(Window / 2));
            _load.SetRequests("demo", "web", 3, 30);
            Assert.Empty(await RunForAsync(TimeSpan.FromMinutes(1)));
        }

        Assert.Equal(3, await DesiredAsync());
    }

    [Fact]
    public async Task The_count_never_goes_below_min_however_idle()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 2, max: 6, targets: { cpu: 60, rps: 100 } }"));
        _load.SetUsage("demo", "web", 2, cpuPercent: 0.5);
        _load.SetRequests("demo", "web", 2, 0);

        Assert.Empty(await RunForAsync(Window * 2));
        Assert.Equal(2, await DesiredAsync());
    }

    [Fact]
    public async Task A_count_outside_the_bounds_is_brought_back_at_once()
    {
        // Six replicas, then a redeploy lowers max to three.
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, cooldown: 5s, targets: { rps: 10 } }"));
        await Control.ScaleAsync("demo", "web", 6);
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 3, cooldown: 5s, targets: { rps: 10 } }"));
        Clock.Advance(TimeSpan.FromSeconds(5));
        _load.SetRequests("demo", "web", 6, 0);

        // No window wait: max is a bound, not a recommendation.
        var decision = Assert.Single(await RunForAsync(Interval));
        Assert.Equal((6, 3, "bounds"), (decision.From, decision.To, decision.Reason));
    }

    [Fact]
    public async Task A_manual_scale_above_max_is_refused_naming_the_bound_and_below_min_is_allowed()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 2, max: 3, targets: { rps: 10 } }"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Control.ScaleAsync("demo", "web", 4));
        Assert.Contains("up to 3 replicas (scale.max); 4 is more", refused.Message);
        Assert.Equal(2, await DesiredAsync());

        // Below min is allowed: zero is how a service is parked.
        await Control.ScaleAsync("demo", "web", 0);
        Assert.Equal(0, await DesiredAsync());
    }

    [Fact]
    public async Task Cooldown_holds_the_next_action_until_it_has_passed_since_the_last()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, cooldown: 1m, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 20);
        var first = Assert.Single(await RunForAsync(Interval));
        Assert.Equal(2, first.To);

        // Three times the target right after: the cooldown keeps the count until a minute has passed.
        _load.SetRequests("demo", "web", 2, 60);
        Assert.Empty(await RunForAsync(TimeSpan.FromMinutes(1) - Interval * 2));
        var second = Assert.Single(await RunForAsync(Interval * 2));

        Assert.Equal((2, 6), (second.From, second.To));
        Assert.Equal(TimeSpan.FromMinutes(1), second.Time - first.Time);
    }

    [Fact]
    public async Task A_manual_scale_is_an_action_the_cooldown_counts_from_and_the_new_starting_point()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, cooldown: 30s, targets: { rps: 10 } }"));
        await Control.ScaleAsync("demo", "web", 3);
        var manual = Clock.GetUtcNow();
        _load.SetRequests("demo", "web", 3, 60);

        var decision = Assert.Single(await RunForAsync(TimeSpan.FromSeconds(50)));

        Assert.Equal((3, 6), (decision.From, decision.To));
        Assert.Equal(TimeSpan.FromSeconds(30), decision.Time - manual);
    }

    [Fact]
    public async Task Noise_around_the_target_changes_nothing()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { cpu: 50 } }"));
        await Control.ScaleAsync("demo", "web", 4);
        var actions = new List<ScalingDecision>();
        for (var i = 0; i < 200; i++)
        {
            // The worst noise: 20% under the target, then 20% over, at every sample. Smoothed it
            // swings within ±6.7%, inside the tolerance, so the count never moves.
            _load.SetUsage("demo", "web", 4, cpuPercent: i % 2 == 0 ? 40 : 60);
            actions.AddRange(await RunForAsync(Interval));
        }

        Assert.Empty(actions);
        Assert.Equal(4, await DesiredAsync());
    }

    [Fact]
    public async Task Without_any_measurement_nothing_is_decided()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { cpu: 50, rps: 10 } }"));

        // No replica serves yet and no proxy counts: no data is no reason to scale, up or down.
        Assert.Empty(await RunForAsync(Window * 2));
        Assert.Empty(await Repository.ScaleOverridesAsync());
        Assert.Empty(await EventsAsync("service.scaled"));
    }

    [Theory]
    [InlineData("{ mode: adaptive, min: 1, max: 10 }")]
    [InlineData("{ mode: fixed, replicas: 1 }")]
    [InlineData("{ mode: manual }")]
    public async Task A_service_without_targets_stays_where_it_is(string scale)
    {
        await DeployAsync(Adaptive(scale));
        _load.SetUsage("demo", "web", 1, cpuPercent: 400);
        _load.SetRequests("demo", "web", 1, 10_000);

        Assert.Empty(await RunForAsync(Window * 2));
        Assert.Empty(await Repository.ScaleOverridesAsync());
    }

    [Fact]
    public async Task Cpu_is_measured_against_the_cpu_limit_and_memory_against_the_memory_limit()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { cpu: 50, memory: 50 } }", "    resources: { cpu: 0.5, memory: 100Mi }\n"));

        // Half a core of a 0.5-core limit is 100% (wants 2); 75 MiB of 100 MiB is 75% (wants 2).
        _load.SetUsage("demo", "web", 1, cpuPercent: 50, memoryBytes: 75L << 20);
        var decision = Assert.Single(await RunForAsync(Interval));

        Assert.Equal([new MetricReading("cpu", 100, 50, 2), new MetricReading("memory", 75, 50, 2)], decision.Metrics);
        Assert.Equal("autoscaler scaled up from 1 to 2 (load): cpu 100%/50%, memory 75%/50%", decision.Describe());
    }

    [Fact]
    public async Task Only_services_with_a_cpu_or_memory_target_have_their_replicas_measured()
    {
        await DeployAsync(Spec(
            "demo",
            "  web:\n    runtime: process\n    command: { entrypoint: [sleep, \"100\"] }\n    scale: { mode: adaptive, min: 1, max: 3, targets: { cpu: 50 } }\n",
            "  api:\n    runtime: process\n    command: { entrypoint: [sleep, \"100\"] }\n    scale: { mode: adaptive, min: 1, max: 3, targets: { rps: 50 } }\n",
            Service("worker", "{ mode: adaptive, min: 1, max: 3 }")));

        await RunForAsync(Interval);

        Assert.Equal([("demo", "web")], _load.Measured);
    }

    [Fact]
    public async Task The_largest_ask_of_all_metrics_wins()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 10, targets: { cpu: 50, rps: 10 } }"));
        _load.SetUsage("demo", "web", 2, cpuPercent: 25);
        _load.SetRequests("demo", "web", 2, 50);
        await Control.ScaleAsync("demo", "web", 2);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Assert.Single(await RunForAsync(Interval));

        // CPU alone would halve the count; RPS at 2.5 times its target asks for 5.
        Assert.Equal([("cpu", 1), ("rps", 5)], decision.Metrics.Select(m => (m.Metric, m.Wanted)));
        Assert.Equal(5, decision.To);
    }

    [Fact]
    public async Task The_service_view_shows_the_bounds_targets_and_latest_decisions_newest_last()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 8, cooldown: 10s, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 20);
        Assert.Single(await RunForAsync(Interval));
        _load.SetRequests("demo", "web", 2, 80);
        Assert.Single(await RunForAsync(TimeSpan.FromSeconds(10)));

        var view = (await Control.DeploymentAsync("demo"))!.Services.Single().Autoscaling!;

        Assert.Equal((1, 8, 10.0, (int?)null, (int?)null, (long?)10), (view.Min, view.Max, view.CooldownSeconds, view.TargetCpu, view.TargetMemory, view.TargetRps));
        Assert.Equal([(1, 2), (2, 7)], view.Decisions.Select(d => (d.From, d.To)));
    }

    [Fact]
    public async Task A_service_redeployed_as_fixed_runs_its_own_count_not_the_autoscalers()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 8, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 50);
        Assert.Single(await RunForAsync(Interval));
        Assert.Equal(5, await DesiredAsync());

        await DeployAsync(Adaptive("{ mode: fixed, replicas: 2 }"));
        await new Scheduler(Repository, Events, NodeId).ReconcileAsync();

        Assert.Equal(2, await DesiredAsync());
        Assert.Equal([1, 2], (await AssignmentsAsync("demo", "web")).Select(a => a.Index));
    }

    [Fact]
    public async Task Removing_the_deployment_removes_its_decisions()
    {
        await DeployAsync(Adaptive("{ mode: adaptive, min: 1, max: 8, targets: { rps: 10 } }"));
        _load.SetRequests("demo", "web", 1, 20);
        Assert.Single(await RunForAsync(Interval));

        await Control.RemoveDeploymentAsync("demo");

        Assert.Empty(await Repository.ListAsync<AutoscalerRecord>(StateKeys.Autoscaler));
    }
}
