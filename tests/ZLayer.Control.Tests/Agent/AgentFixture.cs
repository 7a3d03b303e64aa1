using System.Collections.Concurrent;
using System.Globalization;
using ZLayer.Control.Agent;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.Scheduling;
using ZLayer.Control.State;
using ZLayer.Control.Store.Sqlite;
using ZLayer.Runtime;
using ZLayer.Runtime.Process;

namespace ZLayer.Control.Tests.Agent;

/// <summary>
/// What the node agent tests share: a real SQLite store in a temp directory, the public APIs that write
/// desired state, the real <see cref="Scheduler"/> to turn it into assignments, and a <see cref="NodeAgent"/>
/// on a <see cref="FakeClock"/> that runs replicas as real host processes through the real
/// <see cref="ProcessRuntime"/>.
/// </summary>
/// <remarks>
/// The agent (supervisors, restart backoff, dependency polling) runs on the fake clock, so a restart
/// happens only when a test advances it. The process runtime runs on real time: it polls the shim's
/// files with short delays while it starts, waits for and stops a process, and those waits are about
/// real processes, not about the policy under test (on the fake clock they would never end).
/// Tests wait on conditions in the store with a real-time deadline, never on fixed sleeps.
/// </remarks>
public abstract class AgentFixture : IAsyncLifetime
{
    protected const string NodeId = "node-1";

    /// <summary>How long a test waits for a condition before it fails.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("zlayer-agent-");
    private readonly ConcurrentQueue<string> _runtimeWarnings = new();
    private readonly HashSet<int> _pidsSeen = [];
    private SqliteStateStore? _store;

    protected FakeClock Clock { get; } = new();

    protected StateRepository Repository { get; private set; } = null!;

    protected EventLog Events { get; private set; } = null!;

    protected ControlPlane Control { get; private set; } = null!;

    protected Scheduler Scheduler { get; private set; } = null!;

    protected ProcessRuntime Runtime { get; private set; } = null!;

    protected NodeAgent Agent { get; private set; } = null!;

    /// <summary>Timers armed on the fake clock before any replica runs (the store's own, such as its lease sweeper).</summary>
    protected int IdleTimers { get; private set; }

    protected string ReplicasDirectory => Path.Combine(_directory.FullName, "replicas");

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_directory.FullName, "state.db"), Clock);
        Repository = new StateRepository(_store);
        Events = new EventLog(_store, Clock);
        Control = new ControlPlane(Repository, Events, Clock);
        Scheduler = new Scheduler(Repository, Events, NodeId);
        Runtime = new ProcessRuntime(ReplicasDirectory, TimeProvider.System, _runtimeWarnings.Enqueue);
        Agent = NewAgent(Runtime);
        IdleTimers = Clock.ActiveTimers;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Agent is not null)
            {
                using var bounded = new CancellationTokenSource(Deadline);
                await Agent.StopAllAsync().WaitAsync(bounded.Token);
            }
        }
        finally
        {
            // A test that failed half-way must not leave programs running on the machine.
            List<int> seen;
            lock (_pidsSeen)
            {
                seen = [.. _pidsSeen];
            }

            foreach (var pid in seen.Where(p => IsAlive(p) && IsReplicaProgram(p)))
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // Exited in between.
                }
                catch (InvalidOperationException)
                {
                    // Exited in between.
                }
            }

            Runtime?.Dispose();
            if (_store is not null)
            {
                await _store.DisposeAsync();
            }

            try
            {
                _directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless; failing the test over it would not be.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>An agent of this node over the fixture's store, as the daemon wires it (one runtime, process by default).</summary>
    protected NodeAgent NewAgent(IContainerRuntime runtime) =>
        new(Repository, Events, new Dictionary<string, IContainerRuntime>(StringComparer.Ordinal) { [runtime.Name] = runtime }, runtime.Name, NodeId, Clock);

    /// <summary>A v1 spec of <paramref name="deployment"/> with the given service blocks (YAML, indented under <c>services:</c>).</summary>
    protected static string Spec(string deployment, params string[] services) =>
        $"version: v1\ndeployment: {deployment}\nservices:\n{string.Concat(services)}";

    /// <summary>A process service running <c>sh -c <paramref name="script"/></c>; <paramref name="extra"/> is more YAML at service level (4 spaces).</summary>
    protected static string Service(string name, string script, int replicas = 1, string extra = "") =>
        $"  {name}:\n    runtime: process\n    command: {{ entrypoint: [sh, -c, \"{script}\"] }}\n" +
        $"    scale: {{ mode: fixed, replicas: {replicas} }}\n" + extra;

    /// <summary>Deploys through the API; a spec the loader refuses fails the test with its diagnostics.</summary>
    protected async Task DeployAsync(string specText)
    {
        var outcome = await Control.DeployAsync(specText, "zlayer.yaml", "tests");
        Assert.True(outcome.Accepted, string.Join("\n", outcome.Diagnostics.Select(d => d.ToString())));
    }

    /// <summary>One scheduler pass then one agent pass: what the daemon's loops do after a change.</summary>
    protected async Task ScheduleAndReconcileAsync()
    {
        await Scheduler.ReconcileAsync();
        await Agent.ReconcileAsync(CancellationToken.None);
    }

    /// <summary>The stored status of one replica, or null when it has none.</summary>
    protected async Task<ReplicaStatus?> StatusAsync(string replicaId) =>
        (await Control.ReplicasAsync(null)).Select(r => r.Status).FirstOrDefault(s => s.ReplicaId == replicaId);

    /// <summary>Waits until the replica's stored status satisfies <paramref name="condition"/>; returns that status.</summary>
    protected async Task<ReplicaStatus> WaitForStatusAsync(string replicaId, Func<ReplicaStatus, bool> condition, string what)
    {
        ReplicaStatus? found = null;
        await WaitUntilAsync(async () =>
        {
            found = await StatusAsync(replicaId);
            if (found?.Pid is { } pid)
            {
                lock (_pidsSeen)
                {
                    _pidsSeen.Add(pid);
                }
            }

            return found is not null && condition(found);
        }, $"{replicaId}: {what}");
        return found!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling on real time, failing after <see cref="Deadline"/> with what the store holds.</summary>
    protected async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow >= until)
            {
                Assert.Fail($"timed out after {Deadline.TotalSeconds:0}s waiting for {what}\n{await DescribeAsync()}");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>Waits until the replicas have armed exactly <paramref name="count"/> timers on the fake clock (a restart backoff, a dependency poll).</summary>
    protected Task WaitForTimersAsync(int count, string what) =>
        WaitUntilAsync(() => Task.FromResult(Clock.ActiveTimers - IdleTimers == count), $"{count} timer(s) armed on the fake clock by the replicas ({what}); armed now: {Clock.ActiveTimers - IdleTimers}");

    /// <summary>The events of one type for one replica, oldest first.</summary>
    protected async Task<List<ClusterEvent>> EventsAsync(string type, string replicaId) =>
        [.. (await Events.ListAsync()).Where(e => e.Type == type && e.Replica == replicaId).OrderBy(e => e.Sequence)];

    /// <summary>Whether a process with this pid exists and is not a zombie.</summary>
    protected static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // pid (comm) S ...: the state follows the last ')', since comm may contain anything.
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether a pid still runs one of the programs these tests start (not a pid reused by something else).</summary>
    private static bool IsReplicaProgram(int pid)
    {
        try
        {
            var argv0 = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0')[0];
            return Path.GetFileName(argv0) is "sh" or "sleep";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Waits until a process is gone (exited and reaped, or a zombie).</summary>
    protected Task WaitForExitAsync(int pid, string what) =>
        WaitUntilAsync(() => Task.FromResult(!IsAlive(pid)), $"pid {pid} ({what}) to exit");

    private async Task<string> DescribeAsync()
    {
        var lines = new List<string> { "statuses:" };
        lines.AddRange((await Control.ReplicasAsync(null)).Select(r =>
            $"  {r.Status.ReplicaId}: {r.Status.State} pid={r.Status.Pid} restarts={r.Status.Restarts} exit={r.Status.ExitCode} message={r.Status.Message}"));
        lines.Add($"armed timers: {Clock.ActiveTimers}; clock: {Clock.GetUtcNow():O}");
        lines.Add("events:");
        lines.AddRange((await Events.ListAsync()).OrderBy(e => e.Sequence).TakeLast(40).Select(e => $"  {e.Type} {e.Replica}: {e.Message}"));
        if (!_runtimeWarnings.IsEmpty)
        {
            lines.Add("runtime warnings:");
            lines.AddRange(_runtimeWarnings.Select(w => "  " + w));
        }

        return string.Join("\n", lines);
    }
}
