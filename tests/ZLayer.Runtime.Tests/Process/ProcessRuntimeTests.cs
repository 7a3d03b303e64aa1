using System.Diagnostics;
using System.Runtime.Versioning;
using ZLayer.Runtime.Process;

namespace ZLayer.Runtime.Tests.Process;

/// <summary>What the process runtime does beyond the shared contract: real host processes, no mocks.</summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessRuntimeTests : IAsyncLifetime
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    private readonly TempDirectory _state = new();
    private readonly TempDirectory _scratch = new();
    private readonly List<ProcessRuntime> _runtimes = [];

    private ProcessRuntime NewRuntime()
    {
        var runtime = new ProcessRuntime(_state.Path, TimeProvider.System);
        _runtimes.Add(runtime);
        return runtime;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var runtime = NewRuntime();
        foreach (var handle in await runtime.ListAsync())
        {
            try
            {
                await runtime.StopAsync(handle, SIGKILL, TimeSpan.Zero);
                await runtime.RemoveAsync(handle);
            }
            catch (RuntimeException)
            {
                // A record faked by a test; the directory goes below.
            }
        }
        _runtimes.ForEach(r => r.Dispose());
        _state.Dispose();
        _scratch.Dispose();
    }

    private static async Task<ReplicaHandle> StartAsync(ProcessRuntime runtime, ReplicaLaunchSpec spec)
    {
        var handle = await runtime.CreateAsync(spec);
        await runtime.StartAsync(handle);
        return handle;
    }

    private static async Task<List<string>> TextsAsync(IContainerRuntime runtime, ReplicaHandle handle)
    {
        var texts = new List<string>();
        await foreach (var line in runtime.LogsAsync(handle, new LogOptions()))
        {
            texts.Add(line.Text);
        }
        return texts;
    }

    [Fact]
    public async Task Environment_IsExactlyTheOneGiven_EvenNamesNoShellAccepts()
    {
        var runtime = NewRuntime();
        var env = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin:/bin",
            ["SECRET_TOKEN"] = "s3cr3t value with spaces",
            ["spring.profiles.active"] = "prod",
            ["EMPTY"] = "",
        };
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("env.svc.0", ["/usr/bin/env"], env));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        var lines = await TextsAsync(runtime, handle);

        Assert.Equal(env.Select(e => $"{e.Key}={e.Value}").Order(), lines.Order());
        var record = await File.ReadAllTextAsync(Path.Combine(_state.Path, "env.svc.0", "record.json"));
        Assert.Contains("SECRET_TOKEN", record);
        Assert.DoesNotContain("s3cr3t", record);
    }

    [Fact]
    public async Task Environment_GetsTheDaemonsPath_WhenItHasNone()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("env.svc.1", ["env"], new Dictionary<string, string> { ["ONLY"] = "1" }));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        var lines = await TextsAsync(runtime, handle);

        Assert.Equal(["ONLY=1", "PATH=" + Environment.GetEnvironmentVariable("PATH")], lines.Order());
    }

    [Fact]
    public async Task WorkingDirectory_IsTheOneGiven_OrElseTheReplicaDirectory()
    {
        var runtime = NewRuntime();
        var given = await StartAsync(runtime, ProcessSpecs.Spec("wd.svc.0", ["pwd", "-P"], workingDirectory: _scratch.Path));
        var fallback = await StartAsync(runtime, ProcessSpecs.Spec("wd.svc.1", ["pwd", "-P"]));
        await runtime.WaitAsync(given).WaitAsync(Poll.DefaultTimeout);
        await runtime.WaitAsync(fallback).WaitAsync(Poll.DefaultTimeout);

        Assert.Equal([_scratch.Path], await TextsAsync(runtime, given));
        Assert.Equal([Path.Combine(_state.Path, "wd.svc.1")], await TextsAsync(runtime, fallback));
    }

    [Fact]
    public async Task RelativeProgram_IsFoundInTheWorkingDirectory()
    {
        var script = Path.Combine(_scratch.Path, "run.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho relative ok\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var runtime = NewRuntime();

        var handle = await StartAsync(runtime, ProcessSpecs.Spec("rel.svc.0", ["./run.sh"], workingDirectory: _scratch.Path));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        Assert.Equal(["relative ok"], await TextsAsync(runtime, handle));
    }

    [Fact]
    public async Task MissingProgram_FailsCreate_WithTheOsStyleMessage()
    {
        var runtime = NewRuntime();

        var notInPath = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("miss.svc.0", ["nosuch-program-zl"])));
        var noFile = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("miss.svc.1", ["/nonexistent/prog"])));
        var notExecutable = Path.Combine(_scratch.Path, "data.txt");
        await File.WriteAllTextAsync(notExecutable, "not a program");
        File.SetUnixFileMode(notExecutable, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var denied = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("miss.svc.2", [notExecutable])));

        Assert.Equal("exec: \"nosuch-program-zl\": executable file not found in $PATH", notInPath.Message);
        Assert.Equal("exec: \"/nonexistent/prog\": stat /nonexistent/prog: no such file or directory", noFile.Message);
        Assert.Equal($"exec: \"{notExecutable}\": permission denied", denied.Message);
        Assert.Empty(await runtime.ListAsync());
    }

    [Fact]
    public async Task ProgramRemovedAfterCreate_FailsStart_WithTheOsError()
    {
        var script = Path.Combine(_scratch.Path, "gone.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var runtime = NewRuntime();
        var handle = await runtime.CreateAsync(ProcessSpecs.Spec("gone.svc.0", [script]));
        File.Delete(script);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.StartAsync(handle));

        Assert.Contains("no such file or directory", error.Message);
    }

    [Fact]
    public async Task Stop_ReturnsTheCodeTheSignalHandlerChose()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("trap.svc.0", ["sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done"]));
        await Poll.LogsUntilAsync(runtime, handle, l => l.Any(x => x.Text == "ready"), "the trap to be set");

        await runtime.StopAsync(handle, SIGTERM, TimeSpan.FromSeconds(20));

        Assert.Equal(42, (await runtime.InspectAsync(handle)).ExitCode);
    }

    [Fact]
    public async Task Stop_LeavesNoOrphan_EvenAGrandchildThatIgnoresTheSignal()
    {
        var runtime = NewRuntime();
        // The grandchild ignores SIGTERM (inherited across exec) and outlives its parent's exit.
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("tree.svc.0",
            ["sh", "-c", "(trap '' TERM; exec sleep 300) & echo \"grandchild $!\"; sleep 300"]));
        var lines = await Poll.LogsUntilAsync(runtime, handle, l => l.Any(x => x.Text.StartsWith("grandchild ", StringComparison.Ordinal)), "the grandchild's pid");
        var grandchild = int.Parse(lines.First(l => l.Text.StartsWith("grandchild ", StringComparison.Ordinal)).Text["grandchild ".Length..]);
        var child = (await runtime.InspectAsync(handle)).Pid!.Value;
        Assert.True(Directory.Exists($"/proc/{grandchild}"));

        await runtime.StopAsync(handle, SIGTERM, TimeSpan.FromMilliseconds(500));

        Assert.False(IsLive(child), "the replica's program survived stop");
        Assert.False(IsLive(grandchild), "the grandchild survived stop");
        Assert.Equal(128 + SIGTERM, (await runtime.InspectAsync(handle)).ExitCode);
    }

    [Fact]
    public async Task ReplicaRunsInItsOwnSessionAndProcessGroup()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("sess.svc.0", ["sleep", "300"]));

        var pid = (await runtime.InspectAsync(handle)).Pid!.Value;
        var stat = ProcFs.ReadStat(pid)!.Value;

        Assert.Equal(pid, stat.Session);
        Assert.Equal(pid, stat.ProcessGroup);
        Assert.NotEqual(ProcFs.ReadStat(Environment.ProcessId)!.Value.Session, stat.Session);
        Assert.Equal("/dev/null", new FileInfo($"/proc/{pid}/fd/0").LinkTarget);
    }

    [Fact]
    public async Task DaemonRestart_ReadoptsRunningReplicas_AndReportsExitsThatHappenedMeanwhile()
    {
        var first = NewRuntime();
        var running = await StartAsync(first, ProcessSpecs.Spec("adopt.svc.0", ["sh", "-c", "echo before; while [ ! -e go ]; do sleep 0.05; done; echo after; exec sleep 300"], workingDirectory: _scratch.Path));
        var exiting = await StartAsync(first, ProcessSpecs.Spec("adopt.svc.1", ["sh", "-c", "while [ ! -e go ]; do sleep 0.05; done; exit 7"], workingDirectory: _scratch.Path));
        var runningPid = (await first.InspectAsync(running)).Pid!.Value;
        var exitingPid = (await first.InspectAsync(exiting)).Pid!.Value;
        // The daemon dies: nothing of this instance watches the replicas any more.
        first.Dispose();

        await File.WriteAllTextAsync(Path.Combine(_scratch.Path, "go"), "");
        await Poll.UntilAsync(() => !IsLive(exitingPid), "the second replica to exit while no daemon runs");
        var second = NewRuntime();
        var handles = await second.ListAsync();

        var adopted = Assert.Single(handles, h => h.ReplicaId == "adopt.svc.0");
        Assert.Equal(running.RuntimeId, adopted.RuntimeId);
        Assert.Equal("adopt.svc.0", adopted.Labels[ProcessRuntime.LabelReplica]);
        var state = await second.InspectAsync(adopted);
        Assert.Equal(RuntimeStatus.Running, state.Status);
        Assert.Equal(runningPid, state.Pid);
        var exited = await second.InspectAsync(Assert.Single(handles, h => h.ReplicaId == "adopt.svc.1"));
        Assert.Equal(RuntimeStatus.Exited, exited.Status);
        Assert.Equal(7, exited.ExitCode);
        // It kept logging without a daemon, and the new instance controls it.
        await Poll.LogsUntilAsync(second, adopted, l => l.Any(x => x.Text == "after"), "output written while no daemon ran");
        Assert.Equal(0, (await second.ExecAsync(adopted, ["true"], new ExecOptions(TimeSpan.FromSeconds(20)))).ExitCode);
        await second.StopAsync(adopted, SIGTERM, TimeSpan.FromSeconds(10));
        Assert.Equal(128 + SIGTERM, (await second.InspectAsync(adopted)).ExitCode);
        Assert.False(IsLive(runningPid));
    }

    [Fact]
    public async Task PidReuse_IsDetected_AndTheOtherProcessIsNeitherAdoptedNorSignalled()
    {
        // A record whose pid is alive but is another process (this test host) with another start time.
        var dir = Path.Combine(_state.Path, "reuse.svc.0");
        Directory.CreateDirectory(dir);
        var self = ProcFs.ReadStat(Environment.ProcessId)!.Value;
        new ProcessRecord
        {
            ReplicaId = "reuse.svc.0",
            RuntimeId = "0123456789ab",
            Program = "/bin/sleep",
            Argv = ["sleep", "300"],
            WorkingDirectory = dir,
            CreatedAt = DateTimeOffset.UtcNow.AddHours(-1),
            StartedAt = DateTimeOffset.UtcNow.AddHours(-1),
            Pid = Environment.ProcessId,
            PidStartTime = self.StartTime + 1,
        }.Save(Path.Combine(dir, "record.json"));
        var runtime = NewRuntime();

        var handle = Assert.Single(await runtime.ListAsync());
        var state = await runtime.InspectAsync(handle);
        await runtime.StopAsync(handle, SIGKILL, TimeSpan.Zero);
        await runtime.SignalAsync(handle, SIGKILL);

        Assert.Equal(RuntimeStatus.Exited, state.Status);
        Assert.Null(state.ExitCode);
        Assert.Contains("PID now belongs to another process", state.Message);
        Assert.Null(await runtime.StatsAsync(handle));
        await runtime.RemoveAsync(handle);
        Assert.Empty(await runtime.ListAsync());
    }

    [Fact]
    public async Task Logs_AreRotatedAtTheSizeLimit_AndStillReadAcrossTheRotation()
    {
        const long limit = 4096;
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("rot.svc.0",
            ["sh", "-c", "i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo \"line $i of the rotation test\"; done"], maxLogBytes: limit));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        var dir = Path.Combine(_state.Path, "rot.svc.0");
        Assert.True(File.Exists(Path.Combine(dir, "log.1")), "no rotation happened");
        Assert.InRange(new FileInfo(Path.Combine(dir, "log")).Length, 1, limit);
        Assert.InRange(new FileInfo(Path.Combine(dir, "log.1")).Length, 1, limit);
        Assert.False(File.Exists(Path.Combine(dir, "log.2")));
        var texts = await TextsAsync(runtime, handle);
        Assert.Equal("line 400 of the rotation test", texts[^1]);
        // What is kept is an unbroken run of the newest lines.
        var first = int.Parse(texts[0].Split(' ')[1]);
        Assert.Equal(Enumerable.Range(first, 400 - first + 1).Select(i => $"line {i} of the rotation test"), texts);
        Assert.Equal(["line 399 of the rotation test", "line 400 of the rotation test"], (await ReadTailAsync(runtime, handle, 2)).Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_Follow_ContinuesAcrossRotations()
    {
        // The program writes 30 lines (less than one log file) per batch and starts a batch only
        // when the test has seen the previous one, so the follower is never more than one rotation
        // behind however slow the machine is; ten batches rotate the log several times.
        using var gates = new TempDirectory();
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("rotf.svc.0",
            ["sh", "-c", "for b in 1 2 3 4 5 6 7 8 9 10; do while [ ! -e go.$b ]; do sleep 0.02; done; i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo \"follow $(((b-1)*30+i))\"; done; done; sleep 300"],
            workingDirectory: gates.Path, maxLogBytes: 2048));
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        var seen = new List<string>();

        await using var lines = runtime.LogsAsync(handle, new LogOptions(Follow: true, Tail: 0), timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = lines.MoveNextAsync(); // the follower now stands at the end of the (empty) log
        File.Create(Path.Combine(gates.Path, "go.1")).Dispose();
        while (await next)
        {
            seen.Add(lines.Current.Text);
            if (seen.Count == 300)
            {
                break;
            }

            if (seen.Count % 30 == 0)
            {
                File.Create(Path.Combine(gates.Path, $"go.{(seen.Count / 30) + 1}")).Dispose();
            }

            next = lines.MoveNextAsync();
        }

        Assert.True(File.Exists(Path.Combine(_state.Path, "rotf.svc.0", "log.1")), "no rotation happened");
        Assert.Equal(Enumerable.Range(1, 300).Select(i => $"follow {i}"), seen);
    }

    [Fact]
    public async Task Logs_JoinPiecesOfALineWrittenAtDifferentTimes()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("part.svc.0", ["sh", "-c", "printf 'abc'; sleep 0.3; printf 'déf\\n'; printf 'no newline at the end'"]));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        Assert.Equal(["abcdéf", "no newline at the end"], await TextsAsync(runtime, handle));
    }

    [Fact]
    public async Task Exec_ThatOutlivesItsTimeout_IsKilledAndReported()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("exec.svc.0", ["sleep", "300"]));

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ExecAsync(handle, ["sleep", "30"], new ExecOptions(TimeSpan.FromMilliseconds(300))));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        var missing = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ExecAsync(handle, ["nosuch-program-zl"], new ExecOptions(TimeSpan.FromSeconds(5))));
        Assert.Equal("exec: \"nosuch-program-zl\": executable file not found in $PATH", missing.Message);
    }

    [Fact]
    public async Task Exec_InAReplicaThatIsNotRunning_Fails()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("exec.svc.1", ["true"]));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ExecAsync(handle, ["true"], new ExecOptions(TimeSpan.FromSeconds(5))));

        Assert.Contains("not running", error.Message);
    }

    [Fact]
    public async Task Stats_ReportsTheMemoryAndCpuOfTheWholeProcessGroup()
    {
        var runtime = NewRuntime();
        var idle = await StartAsync(runtime, ProcessSpecs.Spec("stats.svc.0", ["sleep", "300"]));
        var busy = await StartAsync(runtime, ProcessSpecs.Spec("stats.svc.1", ["sh", "-c", "while :; do :; done & wait"]));

        var idleUsage = await runtime.StatsAsync(idle);
        var busyUsage = await runtime.StatsAsync(busy);

        Assert.NotNull(idleUsage);
        Assert.InRange(idleUsage.MemoryBytes, 64 * 1024, 512L * 1024 * 1024);
        Assert.Null(idleUsage.MemoryLimitBytes);
        Assert.InRange(idleUsage.CpuPercent, 0, 50);
        Assert.NotNull(busyUsage);
        // The spinning loop is a child of the replica's program: only a group-wide sum sees it.
        Assert.InRange(busyUsage.CpuPercent, 20, 250);
    }

    [Fact]
    public async Task Start_OfAnExitedReplica_RunsItAgain_AndKeepsItsLogs()
    {
        var runtime = NewRuntime();
        var handle = await StartAsync(runtime, ProcessSpecs.Spec("again.svc.0", ["sh", "-c", "echo run; exit 1"]));
        await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout);

        await runtime.StartAsync(handle);
        await Poll.UntilAsync(async () => (await TextsAsync(runtime, handle)).Count == 2, "the second run's output");

        Assert.Equal(1, (await runtime.WaitAsync(handle).WaitAsync(Poll.DefaultTimeout)).ExitCode);
    }

    [Fact]
    public async Task Create_RejectsBadIds_DuplicatesAndMissingWorkingDirectories()
    {
        var runtime = NewRuntime();
        await runtime.CreateAsync(ProcessSpecs.Spec("dup.svc.0", ["true"]));

        await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("../escape", ["true"])));
        var duplicate = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("dup.svc.0", ["true"])));
        var noDir = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("dir.svc.0", ["true"], workingDirectory: "/nonexistent/dir")));
        var noCommand = await Assert.ThrowsAsync<RuntimeException>(() => runtime.CreateAsync(ProcessSpecs.Spec("cmd.svc.0", [])));

        Assert.Contains("already exists", duplicate.Message);
        Assert.Contains("no such file or directory", noDir.Message);
        Assert.Contains("command", noCommand.Message);
    }

    [Fact]
    public void Zlayer_ResolvesToTheRunningBinary()
    {
        var dir = _scratch.Path;
        var apphost = Path.Combine(dir, "zlayer");
        File.WriteAllText(apphost, "");
        File.SetUnixFileMode(apphost, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Assert.Equal(apphost, ProgramResolver.FindSelf(apphost, "/elsewhere/zlayer.dll"));
        Assert.Equal(apphost, ProgramResolver.FindSelf("/usr/bin/dotnet", Path.Combine(dir, "zlayer.dll")));
        Assert.Null(ProgramResolver.FindSelf("/usr/bin/dotnet", "/elsewhere/testhost.dll"));
        Assert.Equal(apphost, ProgramResolver.Resolve("zlayer", "/usr/bin", "/", apphost));
        Assert.Equal("/bin/sh", ProgramResolver.Resolve("sh", "/nonexistent:/bin", "/", apphost));
    }

    private static async Task<List<LogLine>> ReadTailAsync(IContainerRuntime runtime, ReplicaHandle handle, int tail)
    {
        var lines = new List<LogLine>();
        await foreach (var line in runtime.LogsAsync(handle, new LogOptions(Tail: tail)))
        {
            lines.Add(line);
        }
        return lines;
    }

    private static bool IsLive(int pid) => ProcFs.ReadStat(pid) is { IsZombie: false };
}
