namespace ZLayer.EndToEnd;

/// <summary>
/// What happens to running replicas when a deployment is updated, refused, or the daemon stops:
/// the cases where users of other orchestrators lose work they did not mean to touch.
/// </summary>
public sealed class DeploymentLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly DaemonFixture _daemon = new();

    public Task InitializeAsync() => _daemon.StartAsync();

    public Task DisposeAsync() => _daemon.DisposeAsync().AsTask();

    private static string Spec(string workerCommand, bool withExtra) => $$"""
        version: v1
        deployment: life
        services:
          steady:
            runtime: process
            command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
            scale: { mode: fixed, replicas: 2 }
          worker:
            runtime: process
            command: { entrypoint: [sh, -c, "{{workerCommand}}"] }
        {{(withExtra ? """
          extra:
            runtime: process
            command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
        """ : "")}}
        """;

    [Fact]
    public async Task An_updated_spec_replaces_only_changed_services_and_stops_removed_ones()
    {
        var file = _daemon.WriteSpec("life.zlayer.yaml", Spec("while true; do sleep 1; done", withExtra: true));
        Assert.Equal(0, (await _daemon.RunAsync("deploy", "--wait", file)).ExitCode);
        var before = await PidsAsync();
        Assert.Equal(4, before.Count);

        File.WriteAllText(file, Spec("while true; do sleep 2; done", withExtra: false));
        var update = await _daemon.RunAsync("deploy", file);
        Assert.Equal(0, update.ExitCode);
        Assert.Contains("changed    worker", update.Stdout);
        Assert.Contains("removed    extra", update.Stdout);
        Assert.Contains("unchanged  steady", update.Stdout);

        await Eventually.HoldsAsync(async () =>
        {
            var now = await PidsAsync();
            return now.Count == 3 && !now.ContainsKey("life.extra.1") && now["life.worker.1"] != before["life.worker.1"];
        }, Converge, "worker replaced, extra stopped");
        var after = await PidsAsync();
        Assert.Equal(before["life.steady.1"], after["life.steady.1"]);
        Assert.Equal(before["life.steady.2"], after["life.steady.2"]);
        Assert.False(File.Exists($"/proc/{before["life.extra.1"]}/cmdline") && File.ReadAllText($"/proc/{before["life.extra.1"]}/cmdline").Contains("sleep", StringComparison.Ordinal),
            "the removed service's process still runs");
    }

    [Fact]
    public async Task An_invalid_spec_is_refused_with_places_and_the_running_deployment_is_untouched()
    {
        var file = _daemon.WriteSpec("life.zlayer.yaml", Spec("while true; do sleep 1; done", withExtra: false));
        Assert.Equal(0, (await _daemon.RunAsync("deploy", "--wait", file)).ExitCode);
        var before = await PidsAsync();

        File.WriteAllText(file, Spec("while true; do sleep 1; done", withExtra: false).Replace("replicas: 2", "replicas: -2", StringComparison.Ordinal));
        var refused = await _daemon.RunAsync("deploy", file);
        Assert.Equal(1, refused.ExitCode);
        Assert.Matches(@"life\.zlayer\.yaml:\d+:\d+: error: ", refused.Stderr);
        Assert.Equal(before, await PidsAsync());
    }

    [Fact]
    public async Task A_stopped_daemon_leaves_replicas_running_and_the_next_one_adopts_them()
    {
        var file = _daemon.WriteSpec("life.zlayer.yaml", Spec("while true; do sleep 1; done", withExtra: false));
        Assert.Equal(0, (await _daemon.RunAsync("deploy", "--wait", file)).ExitCode);
        var before = await PidsAsync();

        Assert.Equal(0, await _daemon.StopAsync());
        Assert.All(before.Values, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"replica {pid} stopped with the daemon"));

        await _daemon.StartAsync();
        await Eventually.HoldsAsync(async () => (await _daemon.ReplicasAsync()).All(r => r["state"]!.ToString() == "running"), Converge, "replicas running after restart");
        Assert.Equal(before, await PidsAsync());
    }

    [Fact]
    public async Task With_stop_on_exit_the_daemon_stops_its_replicas()
    {
        await _daemon.StopAsync();
        _daemon.ExtraArgs.Add("--stop-on-exit");
        await _daemon.StartAsync();
        var file = _daemon.WriteSpec("life.zlayer.yaml", Spec("while true; do sleep 1; done", withExtra: false));
        Assert.Equal(0, (await _daemon.RunAsync("deploy", "--wait", file)).ExitCode);
        var before = await PidsAsync();

        Assert.Equal(0, await _daemon.StopAsync());
        Assert.All(before.Values, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"replica {pid} outlived a --stop-on-exit daemon"));
    }

    private async Task<Dictionary<string, int>> PidsAsync() =>
        (await _daemon.ReplicasAsync()).Where(r => r["state"]!.ToString() == "running").ToDictionary(r => r["replica"]!.ToString(), r => r["pid"]!.GetValue<int>());
}
