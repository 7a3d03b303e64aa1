using System.Diagnostics;

namespace ZLayer.Runtime.Tests;

/// <summary>
/// What every <see cref="IContainerRuntime"/> backend must do, whatever it runs replicas with. A
/// backend's test class derives from this and says how to make a runtime and a replica that runs a
/// POSIX shell script (a host sh, or sh in a small image).
/// </summary>
public abstract partial class RuntimeContract : IAsyncLifetime
{
    protected const int SIGTERM = 15;
    protected const int SIGKILL = 9;

    private IContainerRuntime? _runtime;

    protected IContainerRuntime Runtime => _runtime ?? throw new InvalidOperationException("not initialised");

    /// <summary>A runtime over fresh state of its own.</summary>
    protected abstract IContainerRuntime CreateRuntime();

    /// <summary>A replica that runs <c>sh -c <paramref name="script"/></c> with exactly <paramref name="environment"/> added.</summary>
    protected abstract ReplicaLaunchSpec ShellReplica(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null);

    /// <summary>A replica id no other test uses.</summary>
    protected static string NewReplicaId() => "contract.svc." + Guid.NewGuid().ToString("N")[..10];

    public virtual Task InitializeAsync()
    {
        _runtime = CreateRuntime();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        if (_runtime is null)
        {
            return;
        }
        foreach (var handle in await _runtime.ListAsync())
        {
            try
            {
                await _runtime.StopAsync(handle, SIGKILL, TimeSpan.Zero);
                await _runtime.RemoveAsync(handle);
            }
            catch (RuntimeException)
            {
                // Cleanup of a replica a test left broken on purpose; the state directory goes anyway.
            }
        }
        (_runtime as IDisposable)?.Dispose();
    }

    protected async Task<ReplicaHandle> StartShellAsync(string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var handle = await Runtime.CreateAsync(ShellReplica(NewReplicaId(), script, environment));
        await Runtime.StartAsync(handle);
        return handle;
    }

    protected static async Task<List<LogLine>> ReadLogsAsync(IContainerRuntime runtime, ReplicaHandle handle, LogOptions? options = null)
    {
        var lines = new List<LogLine>();
        await foreach (var line in runtime.LogsAsync(handle, options ?? new LogOptions()))
        {
            lines.Add(line);
        }
        return lines;
    }

    [Fact]
    public async Task Create_MakesACreatedReplica_ThatListFinds()
    {
        var handle = await Runtime.CreateAsync(ShellReplica(NewReplicaId(), "exit 0"));

        var state = await Runtime.InspectAsync(handle);
        Assert.Equal(RuntimeStatus.Created, state.Status);
        Assert.Null(state.ExitCode);
        var listed = Assert.Single(await Runtime.ListAsync(), h => h.ReplicaId == handle.ReplicaId);
        Assert.Equal(handle.RuntimeId, listed.RuntimeId);
        Assert.Equal(Runtime.Name, listed.Runtime);
    }

    [Fact]
    public async Task Start_RunsTheReplica_AndItsOutputReachesTheLogsWithTimes()
    {
        var before = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(2);
        var handle = await StartShellAsync("echo to-stdout; echo to-stderr >&2; sleep 60");

        Assert.Equal(RuntimeStatus.Running, (await Runtime.InspectAsync(handle)).Status);
        var lines = await Poll.LogsUntilAsync(Runtime, handle, l => l.Count >= 2, "two log lines");
        Assert.Contains(lines, l => l is { Stream: LogStream.Stdout, Text: "to-stdout" });
        Assert.Contains(lines, l => l is { Stream: LogStream.Stderr, Text: "to-stderr" });
        var after = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        Assert.All(lines, l => Assert.InRange(l.Timestamp, before, after));
    }

    [Fact]
    public async Task ExitCode_IsRecorded_AndWaitReturnsIt()
    {
        var handle = await StartShellAsync("echo bye; exit 3");

        var state = await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.Equal(3, state.ExitCode);
        Assert.NotNull(state.FinishedAt);
        Assert.Equal(3, (await Runtime.InspectAsync(handle)).ExitCode);
    }

    [Fact]
    public async Task Stop_DeliversTheSignal_AndAReplicaThatHandlesItExitsWithItsOwnCode()
    {
        var handle = await StartShellAsync("trap 'echo stopping; exit 0' TERM; echo ready; while :; do sleep 0.1; done");
        await Poll.LogsUntilAsync(Runtime, handle, l => l.Any(x => x.Text == "ready"), "the trap to be set");

        var clock = Stopwatch.StartNew();
        await Runtime.StopAsync(handle, SIGTERM, TimeSpan.FromSeconds(20));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stop took {clock.Elapsed}: the handler did not run");
        var state = await Runtime.InspectAsync(handle);
        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.Equal(0, state.ExitCode);
        Assert.Contains(await ReadLogsAsync(Runtime, handle), l => l.Text == "stopping");
    }

    [Fact]
    public async Task Stop_KillsAfterTheGracePeriod_AReplicaThatIgnoresTheSignal()
    {
        var handle = await StartShellAsync("trap '' TERM; echo ready; while :; do sleep 0.1; done");
        await Poll.LogsUntilAsync(Runtime, handle, l => l.Any(x => x.Text == "ready"), "the signal to be ignored");

        var clock = Stopwatch.StartNew();
        await Runtime.StopAsync(handle, SIGTERM, TimeSpan.FromMilliseconds(300));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), "killed before the grace period ended");
        var state = await Runtime.InspectAsync(handle);
        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.Equal(128 + SIGKILL, state.ExitCode);
    }

    [Fact]
    public async Task Stop_OfAnExitedReplica_Succeeds()
    {
        var handle = await StartShellAsync("exit 5");
        await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        await Runtime.StopAsync(handle, SIGTERM, TimeSpan.FromSeconds(1));

        Assert.Equal(5, (await Runtime.InspectAsync(handle)).ExitCode);
    }

    [Fact]
    public async Task Signal_Kill_EndsTheReplicaWithStatus137()
    {
        var handle = await StartShellAsync("sleep 60");

        await Runtime.SignalAsync(handle, SIGKILL);

        var state = await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        Assert.Equal(128 + SIGKILL, state.ExitCode);
    }

    [Fact]
    public async Task Remove_DeletesAnExitedReplica()
    {
        var handle = await StartShellAsync("exit 0");
        await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        await Runtime.RemoveAsync(handle);

        Assert.DoesNotContain(await Runtime.ListAsync(), h => h.ReplicaId == handle.ReplicaId);
        await Assert.ThrowsAsync<RuntimeException>(() => Runtime.InspectAsync(handle));
        await Runtime.RemoveAsync(handle);
    }

    [Fact]
    public async Task Remove_OfARunningReplica_Fails()
    {
        var handle = await StartShellAsync("sleep 60");

        var error = await Assert.ThrowsAsync<RuntimeException>(() => Runtime.RemoveAsync(handle));

        Assert.Contains("running", error.Message);
        Assert.Equal(RuntimeStatus.Running, (await Runtime.InspectAsync(handle)).Status);
    }

    [Fact]
    public async Task Exec_RunsInTheReplicasEnvironment_AndReturnsOutputAndStatus()
    {
        var handle = await StartShellAsync("sleep 60", new Dictionary<string, string> { ["GREETING"] = "hello from the replica" });

        var result = await Runtime.ExecAsync(handle, ["sh", "-c", "echo \"$GREETING\"; echo oops >&2; exit 4"], new ExecOptions(TimeSpan.FromSeconds(20)));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("hello from the replica\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
    }

    [Fact]
    public async Task Exec_PassesStandardInput()
    {
        var handle = await StartShellAsync("sleep 60");

        var result = await Runtime.ExecAsync(handle, ["cat"], new ExecOptions(TimeSpan.FromSeconds(20), Stdin: "piped\n"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("piped\n", result.Stdout);
    }

    [Fact]
    public async Task Logs_Tail_ReturnsTheLastLines()
    {
        var handle = await StartShellAsync("for i in 1 2 3 4 5 6; do echo line$i; done");
        await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        var lines = await ReadLogsAsync(Runtime, handle, new LogOptions(Tail: 2));

        Assert.Equal(["line5", "line6"], lines.Select(l => l.Text));
        Assert.Empty(await ReadLogsAsync(Runtime, handle, new LogOptions(Tail: 0)));
    }

    [Fact]
    public async Task Logs_Since_LeavesOutEarlierLines()
    {
        var handle = await StartShellAsync("echo early; sleep 0.3; echo late");
        await Runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);
        var all = await ReadLogsAsync(Runtime, handle);
        var late = Assert.Single(all, l => l.Text == "late");
        Assert.True(late.Timestamp > all.Single(l => l.Text == "early").Timestamp);

        var since = await ReadLogsAsync(Runtime, handle, new LogOptions(Since: late.Timestamp));

        Assert.Equal(["late"], since.Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_Follow_DeliversNewLinesAsTheyComeUntilCancelled()
    {
        var handle = await StartShellAsync("echo one; sleep 0.3; echo two; sleep 0.3; echo three; sleep 60");
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        var seen = new List<string>();

        await foreach (var line in Runtime.LogsAsync(handle, new LogOptions(Follow: true), timeout.Token))
        {
            seen.Add(line.Text);
            if (line.Text == "three")
            {
                break;
            }
        }
        Assert.Equal(["one", "two", "three"], seen);

        using var cancel = new CancellationTokenSource();
        var afterCancel = 0;
        try
        {
            await foreach (var line in Runtime.LogsAsync(handle, new LogOptions(Follow: true), cancel.Token))
            {
                cancel.Cancel();
                afterCancel++;
                Assert.True(afterCancel <= 3, "follow went on after it was cancelled");
            }
        }
        catch (OperationCanceledException)
        {
            // Ending by cancellation either way is fine.
        }
    }
}
