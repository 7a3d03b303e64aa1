using System.Text.Json.Nodes;
using ZLayer.TestImages.Engines;

namespace ZLayer.EndToEnd;

/// <summary>
/// `zlayer serve --store etcd://...`: the state lives in a real etcd; the node keeps its replicas
/// when etcd goes away and catches up when it is back.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EtcdStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private readonly DaemonFixture _daemon = new();
    private EtcdServer _etcd = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _daemon.ExtraArgs.AddRange(["--store", $"etcd://127.0.0.1:{_etcd.ClientUrl.Port}/e2e"]);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        // The daemon's clean-up (down, wait for the replicas to stop) needs its store.
        if (!_etcd.Running)
        {
            await _etcd.StartAgainAsync();
        }

        await _daemon.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private const string Spec = """
        version: v1
        deployment: kvs
        services:
          worker:
            runtime: process
            command: { entrypoint: [sh, -c, "while true; do sleep 1; done"] }
            scale: { mode: fixed, replicas: 1 }
        """;

    [Fact]
    public async Task The_state_lives_in_etcd_and_replicas_outlive_an_etcd_outage()
    {
        var file = _daemon.WriteSpec("kvs.zlayer.yaml", Spec);
        var deploy = await _daemon.RunAsync("deploy", "--wait", file);
        Assert.True(deploy.ExitCode == 0, deploy.Stderr);

        // The deployment is in etcd, under the namespace the daemon was given.
        var keys = await _etcd.CtlAsync("get", "--prefix", "--keys-only", "/e2e/zlayer/");
        Assert.Contains("/e2e/zlayer/deployments/kvs", keys);
        var pid = await WorkerPidAsync("kvs.worker.1");

        // etcd down: the daemon says so, and the replica keeps running.
        await _etcd.KillAsync();
        await Eventually.HoldsAsync(async () => (await _daemon.RunAsync("ps")).ExitCode != 0, Converge, "the daemon reports its store unavailable");
        Assert.True(_daemon.DaemonPid is not null, "the daemon exited when etcd went away");
        Assert.True(Directory.Exists($"/proc/{pid}"), "the replica stopped when etcd went away");

        // etcd back: the daemon takes new work from it again.
        await _etcd.StartAgainAsync();
        await Eventually.HoldsAsync(async () => (await _daemon.RunAsync("scale", "worker=2", "-d", "kvs")).ExitCode == 0, Converge, "scale accepted once etcd is back");
        await Eventually.HoldsAsync(async () => (await RunningAsync()).Count == 2, Converge, "the second replica runs");
        Assert.Equal(pid, await WorkerPidAsync("kvs.worker.1"));
    }

    private async Task<List<JsonObject>> RunningAsync() =>
        [.. (await _daemon.ReplicasAsync()).Where(r => r["state"]?.GetValue<string>() == "running")];

    private async Task<int> WorkerPidAsync(string replica)
    {
        var found = await Eventually.ValueAsync(
            async () => (await RunningAsync()).FirstOrDefault(r => r["replica"]?.GetValue<string>() == replica && r["pid"] is not null),
            Converge,
            $"{replica} running with a pid");
        return found["pid"]!.GetValue<int>();
    }
}
