using ZLayer.Runtime.Runc;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary><c>container:TARGET</c> network, pid and ipc modes, with real runc containers joining a running one.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedNamespacesTests : IAsyncLifetime
{
    private readonly RuncNode _node = new();

    private RuncRuntime Runtime => _node.Runtime;

    public Task InitializeAsync() => _node.ImportBusyboxAsync();

    public async Task DisposeAsync()
    {
        foreach (var handle in await Runtime.ListAsync())
        {
            await Runtime.StopAsync(handle, 9, TimeSpan.Zero);
            await Runtime.RemoveAsync(handle);
        }

        _node.Dispose();
    }

    [Fact]
    public async Task A_sidecar_joins_the_network_pid_and_ipc_namespaces_of_its_services_replica_with_the_same_index()
    {
        var db0 = await StartAsync("db", 0, "sleep 61");
        var db1 = await StartAsync("db", 1, "sleep 61");
        var sidecar = await StartAsync("sidecar", 1, "sleep 60", s =>
        {
            s.NetworkMode = new NetworkMode(NetworkModeKind.Container, "db");
            s.PidMode = "container:db";
            s.IpcMode = "container:db";
        });

        var target = await NamespacesOfAsync(db1);
        var joined = await NamespacesOfAsync(sidecar);
        var other = await NamespacesOfAsync(db0);

        Assert.Equal(target["net"], joined["net"]);
        Assert.Equal(target["pid"], joined["pid"]);
        Assert.Equal(target["ipc"], joined["ipc"]);
        Assert.NotEqual(target["uts"], joined["uts"]);
        Assert.NotEqual(other["net"], joined["net"]);

        // Sharing the pid namespace means seeing the target's processes: its sleep (sh execs it) is pid 1 there.
        var init = await Runtime.ExecAsync(sidecar, ["cat", "/proc/1/cmdline"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal("sleep\u000061\0", init.Stdout);
    }

    [Fact]
    public async Task A_replica_id_target_is_joined_and_removing_the_joiner_leaves_the_target_running()
    {
        var db = await StartAsync("db", 0, "sleep 60");
        var joiner = await StartAsync("tool", 0, "sleep 60", s => s.NetworkMode = new NetworkMode(NetworkModeKind.Container, db.ReplicaId));

        Assert.Equal((await NamespacesOfAsync(db))["net"], (await NamespacesOfAsync(joiner))["net"]);

        await Runtime.StopAsync(joiner, 15, TimeSpan.FromSeconds(5));
        await Runtime.RemoveAsync(joiner);
        Assert.Equal(RuntimeStatus.Running, (await Runtime.InspectAsync(db)).Status);
        var alive = await Runtime.ExecAsync(db, ["true"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, alive.ExitCode);
    }

    [Fact]
    public async Task A_target_that_is_missing_or_not_running_is_named_in_the_error()
    {
        var missing = await Assert.ThrowsAsync<RuntimeException>(() =>
            Runtime.CreateAsync(Spec("tool", 0, "true", s => s.NetworkMode = new NetworkMode(NetworkModeKind.Container, "db"))));
        Assert.Contains("network_mode container:db names no container on this node", missing.Message, StringComparison.Ordinal);

        var created = await Runtime.CreateAsync(Spec("db", 0, "sleep 60"));
        var stopped = await Assert.ThrowsAsync<RuntimeException>(() =>
            Runtime.CreateAsync(Spec("tool", 0, "true", s => s.PidMode = "container:db")));
        Assert.Contains($"pid_mode container:db needs replica {created.ReplicaId} running, and it is created", stopped.Message, StringComparison.Ordinal);

        // A failed creation leaves nothing behind: the replica can be created once the target runs.
        Assert.DoesNotContain(await Runtime.ListAsync(), h => h.Labels.GetValueOrDefault("zlayer.service") == "tool");
    }

    private async Task<ReplicaHandle> StartAsync(string service, int index, string script, Action<ServiceSpec>? configure = null)
    {
        var handle = await Runtime.CreateAsync(Spec(service, index, script, configure));
        await Runtime.StartAsync(handle);
        return handle;
    }

    private static ReplicaLaunchSpec Spec(string service, int index, string script, Action<ServiceSpec>? configure = null) =>
        BusyboxImage.Shell($"share.{service}.{index}.{Guid.NewGuid():N}"[..30], script, configure: configure) with
        {
            Deployment = "share",
            ServiceName = service,
            Index = index,
        };

    private async Task<Dictionary<string, string>> NamespacesOfAsync(ReplicaHandle handle)
    {
        var result = await Runtime.ExecAsync(handle, ["sh", "-c", "for n in net pid ipc uts; do echo $n=$(readlink /proc/self/ns/$n); done"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }
}
