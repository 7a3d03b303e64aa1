using System.Collections.Concurrent;
using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Runtime;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>
/// The node's reconcile loop: one <see cref="ReplicaSupervisor"/> per replica assigned to this
/// node, replaced when its spec changes, stopped when unassigned (dependents before their
/// dependencies). On start it re-adopts replicas the runtimes still hold, so a daemon restart
/// neither duplicates nor restarts them.
/// </summary>
public sealed class NodeAgent(
    StateRepository repository,
    EventLog events,
    IReadOnlyDictionary<string, IContainerRuntime> runtimes,
    string defaultRuntime,
    string nodeId,
    TimeProvider time)
{
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    // Concurrent: the API's logs and exec routes look replicas up (Find) while the loop changes them.
    private readonly ConcurrentDictionary<string, ReplicaSupervisor> _supervisors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReplicaHandle> _adoptable = new(StringComparer.Ordinal);
    private readonly PortAllocator _ports = new();
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly Api.JobOperations _jobs = new(repository, events, time);
    private CancellationToken _shutdown;
    private bool _draining;
    private readonly SemaphoreSlim _wake = new(0);

    public string NodeId { get; } = nodeId;

    public async Task RunAsync(CancellationToken shutdown)
    {
        _shutdown = shutdown;
        foreach (var runtime in runtimes.Values)
        {
            foreach (var handle in await runtime.ListAsync(shutdown))
            {
                _adoptable[handle.ReplicaId] = handle;
                foreach (var port in ReplicaLabels.Ports(handle.Labels).Values)
                {
                    _ports.Reserve(port);
                }
            }
        }

        var wake = _wake;
        var revision = await repository.Store.CurrentRevisionAsync(shutdown);
        var watcher = WatchAsync(revision + 1, wake, shutdown);
        try
        {
            while (!shutdown.IsCancellationRequested)
            {
                await Telemetry.ControlTelemetry.PassAsync("node-agent", ReconcileAsync, shutdown);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
                tick.CancelAfter(ResyncInterval);
                try
                {
                    await wake.WaitAsync(tick.Token);
                    while (wake.CurrentCount > 0)
                    {
                        await wake.WaitAsync(shutdown);
                    }
                }
                catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }

        await watcher;
        await Task.WhenAll(_supervisors.Values.Select(s => s.Completion ?? Task.CompletedTask));
    }

    /// <summary>Stops every replica this agent runs (for <c>--stop-on-exit</c>), dependents first.</summary>
    public async Task StopAllAsync()
    {
        // From here on the loop starts nothing: a replica stopped for the daemon's exit must not be
        // replaced by the next reconcile, which still sees its assignment.
        await _reconcile.WaitAsync();
        _draining = true;
        _reconcile.Release();
        while (_supervisors.Values.Where(s => s.Completion is { IsCompleted: false }).ToList() is { Count: > 0 } alive)
        {
            // Dependents first; a dependency becomes stoppable once they have ended. (Should the
            // dependencies form a cycle, everything left is stopped at once.)
            var stopping = StoppableFirst(alive) is { Count: > 0 } first ? first : alive;
            foreach (var supervisor in stopping)
            {
                supervisor.RequestStop();
            }

            // Wait for one of those asked to stop, not for any replica: the ones still waiting for
            // their dependents would never end on their own.
            var ending = stopping.Select(s => s.Completion).OfType<Task>().Where(t => !t.IsCompleted).ToList();
            if (ending.Count > 0)
            {
                await Task.WhenAny(ending);
            }
        }
    }

    private async Task WatchAsync(long from, SemaphoreSlim wake, CancellationToken ct)
    {
        try
        {
            await foreach (var change in repository.Store.WatchAsync(StateKeys.Root, from, ct))
            {
                var key = change.Kv.Key;
                if (key.StartsWith(StateKeys.Assignments, StringComparison.Ordinal) || key.StartsWith(StateKeys.Deployments, StringComparison.Ordinal))
                {
                    wake.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (StoreCompactedException)
        {
        }
    }

    public async Task ReconcileAsync(CancellationToken ct)
    {
        await _reconcile.WaitAsync(ct);
        try
        {
            if (_draining)
            {
                return;
            }

            var assignments = (await repository.AssignmentsAsync(null, ct)).Where(a => a.Node == NodeId).ToDictionary(a => a.ReplicaId);
            var specs = (await repository.DeploymentsAsync(ct)).ToDictionary(d => d.Name, DeploymentSpecs.Parse);

            // Finished supervisors that were told to stop are gone; their replicas too.
            foreach (var (id, supervisor) in _supervisors.Where(s => s.Value.StopRequested && s.Value.Completion is { IsCompleted: true }).ToList())
            {
                _supervisors.TryRemove(id, out _);
            }

            foreach (var assignment in assignments.Values)
            {
                if (!specs.TryGetValue(assignment.Deployment, out var spec) || !spec.Services.ContainsKey(assignment.Service))
                {
                    continue;
                }

                if (_supervisors.TryGetValue(assignment.ReplicaId, out var current))
                {
                    if (!current.StopRequested && (current.Assignment.SpecHash != assignment.SpecHash || current.Assignment.RestartNonce != assignment.RestartNonce))
                    {
                        current.RequestStop();
                    }

                    continue;
                }

                await StartSupervisorAsync(assignment, spec, ct);
            }

            await RecordFinishedRunsAsync(ct);

            // Supervisors that ended by themselves (finished runs, replicas failed for good) are
            // cleaned up once their assignment goes.
            foreach (var (id, ended) in _supervisors.Where(s => !assignments.ContainsKey(s.Key) && !s.Value.StopRequested && s.Value.Completion is { IsCompleted: true }).ToList())
            {
                await ended.CleanupAsync();
                _supervisors.TryRemove(id, out _);
            }

            var leaving = _supervisors.Values.Where(s => !assignments.ContainsKey(s.Assignment.ReplicaId) && !s.StopRequested).ToList();
            foreach (var supervisor in StoppableFirst(leaving))
            {
                supervisor.RequestStop();
            }

            await CleanOrphansAsync(assignments, ct);
        }
        finally
        {
            _reconcile.Release();
        }
    }

    private async Task StartSupervisorAsync(ReplicaAssignment assignment, DeploymentSpec spec, CancellationToken ct)
    {
        var service = spec.Services[assignment.Service];
        var runtimeName = service.Runtime == RuntimeKind.Auto ? defaultRuntime : service.Runtime.ToString().ToLowerInvariant();
        var existing = await repository.GetAsync<ReplicaStatus>(StateKeys.StatusOf(assignment.Deployment, assignment.Service, assignment.Index), ct);
        var initial = existing is { } found
            ? found.Value with { SpecHash = assignment.SpecHash, Node = NodeId }
            : new ReplicaStatus(assignment.ReplicaId, assignment.Deployment, assignment.Service, assignment.Index, NodeId,
                ReplicaState.Pending, HealthState.Unknown, assignment.SpecHash, null, null, null, new Dictionary<string, int>(), 0, null, null, null, time.GetUtcNow());
        var reporter = new ReplicaReporter(repository, events, time, initial);
        if (!runtimes.TryGetValue(runtimeName, out var runtime))
        {
            if (initial.State != ReplicaState.Failed)
            {
                await reporter.UpdateAsync(s => s with { State = ReplicaState.Failed, Message = $"runtime '{runtimeName}' is not available on node {NodeId} (available: {string.Join(", ", runtimes.Keys)})" }, ct: ct);
            }

            return;
        }

        ReplicaHandle? adopted = null;
        if (_adoptable.Remove(assignment.ReplicaId, out var handle))
        {
            if (handle.Runtime == runtime.Name && handle.Labels.GetValueOrDefault(ReplicaLabels.SpecHash) == assignment.SpecHash)
            {
                adopted = handle;
            }
            else
            {
                await DisposeAsync(handle);
            }
        }

        var context = new ReplicaContext(assignment, spec, runtime, reporter, new DependencyGate(repository, time, m => _ = reporter.NoteAsync(m)),
            _ports, time, adopted is null ? null : ReplicaLabels.Ports(adopted.Labels));
        var supervisor = new ReplicaSupervisor(context, adopted);
        _supervisors[assignment.ReplicaId] = supervisor;
        if (service.Rtype != ResourceType.Service &&
            await repository.GetAsync<JobExecution>(StateKeys.Job(assignment.Deployment, assignment.Service, assignment.Index), ct) is { Value.State: "pending" } run)
        {
            await _jobs.MarkRunningAsync(run.Value, ct);
        }

        supervisor.Start(_shutdown);

        // A supervisor that ends (a stopped or finished replica) may let another start: look again at once.
        _ = supervisor.Completion!.ContinueWith(_ => _wake.Release(), TaskScheduler.Default);
    }

    /// <summary>A job run whose supervisor ended: record its exit code and output, once.</summary>
    private async Task RecordFinishedRunsAsync(CancellationToken ct)
    {
        foreach (var supervisor in _supervisors.Values.Where(s => !s.Recorded && !s.StopRequested && s.Completion is { IsCompleted: true } && s.Context.Service.Rtype != ResourceType.Service))
        {
            var a = supervisor.Assignment;
            supervisor.Recorded = true;
            if (await repository.GetAsync<JobExecution>(StateKeys.Job(a.Deployment, a.Service, a.Index), ct) is not { } run || run.Value.IsFinished)
            {
                continue;
            }

            var output = new System.Text.StringBuilder();
            if (supervisor.Handle is { } handle && runtimes.TryGetValue(handle.Runtime, out var runtime))
            {
                try
                {
                    await foreach (var line in runtime.LogsAsync(handle, new LogOptions(), ct))
                    {
                        output.Append(line.Text).Append('\n');
                    }
                }
                catch (RuntimeException ex)
                {
                    output.Append("(output unavailable: ").Append(ex.Message).Append(")\n");
                }
            }

            var status = supervisor.Reporter.Current;
            await _jobs.FinishAsync(run.Value, status.ExitCode, status.ExitCode == 0 ? null : status.Message, output.ToString(), ct);
        }
    }

    /// <summary>
    /// Of the replicas leaving, those no other leaving or running replica of the same deployment
    /// depends on: stopping them first gives reverse dependency order (the rest follow on later passes).
    /// </summary>
    private List<ReplicaSupervisor> StoppableFirst(List<ReplicaSupervisor> leaving)
    {
        var alive = _supervisors.Values.Where(s => s.Completion is { IsCompleted: false }).ToList();
        return [.. leaving.Where(candidate => !alive.Any(other =>
            other != candidate &&
            other.Assignment.Deployment == candidate.Assignment.Deployment &&
            leaving.Contains(other) &&
            DependsOn(other, candidate.Assignment.Service)))];
    }

    private static bool DependsOn(ReplicaSupervisor supervisor, string service) =>
        supervisor.Context.Service.Depends.Any(d => d.Service == service);

    private async Task CleanOrphansAsync(Dictionary<string, ReplicaAssignment> assignments, CancellationToken ct)
    {
        foreach (var (id, handle) in _adoptable.Where(a => !assignments.ContainsKey(a.Key)).ToList())
        {
            _adoptable.Remove(id);
            await DisposeAsync(handle);
        }

        foreach (var status in (await repository.StatusesAsync(null, ct)).Where(s => s.Node == NodeId))
        {
            if (!assignments.ContainsKey(status.ReplicaId) && !_supervisors.ContainsKey(status.ReplicaId))
            {
                await repository.Store.DeleteAsync(StateKeys.StatusOf(status.Deployment, status.Service, status.Index), ct);
            }
        }
    }

    /// <summary>Stops and removes a replica nobody wants any more (an outdated spec, or a deployment removed while the daemon was down).</summary>
    private async Task DisposeAsync(ReplicaHandle handle)
    {
        if (!runtimes.TryGetValue(handle.Runtime, out var runtime))
        {
            return;
        }

        try
        {
            await runtime.StopAsync(handle, 15, TimeSpan.FromSeconds(10));
            await runtime.RemoveAsync(handle);
            await events.AppendAsync("replica.removed", "stopped a replica left from before the daemon restart that is no longer wanted", replica: handle.ReplicaId);
        }
        catch (RuntimeException ex)
        {
            await events.AppendAsync("replica.info", $"could not remove leftover replica: {ex.Message}", replica: handle.ReplicaId);
        }

        foreach (var port in ReplicaLabels.Ports(handle.Labels).Values)
        {
            _ports.Release(port);
        }
    }

    /// <summary>What a replica on this node uses now, as its runtime measures it; null when it is not here or not running.</summary>
    public async Task<ResourceUsage?> UsageAsync(string replicaId, CancellationToken ct)
    {
        if (Find(replicaId) is not { } found)
        {
            return null;
        }

        try
        {
            return await found.Runtime.StatsAsync(found.Handle, ct);
        }
        catch (RuntimeException)
        {
            // Exited between the caller's listing and the reading.
            return null;
        }
    }

    /// <summary>The runtime and handle of a replica on this node, for logs and exec.</summary>
    public (IContainerRuntime Runtime, ReplicaHandle Handle)? Find(string replicaId)
    {
        if (_supervisors.TryGetValue(replicaId, out var supervisor) && supervisor.Handle is { } handle && runtimes.TryGetValue(handle.Runtime, out var runtime))
        {
            return (runtime, handle);
        }

        return null;
    }
}
