using ZLayer.Control.Model;
using ZLayer.Runtime;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Control.Agent;

/// <summary>
/// Keeps one replica running as its spec says: waits for dependencies, creates it, runs init
/// steps, starts it, health-checks it, and restarts it after an exit or when unhealthy, with
/// backoff and a crash-loop state. <see cref="RequestStop"/> stops the replica for good; a daemon
/// shutdown only stops supervising and leaves the replica running.
/// </summary>
public sealed class ReplicaSupervisor
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ReplicaContext _context;
    private ReplicaHandle? _handle;

    public ReplicaSupervisor(ReplicaContext context, ReplicaHandle? adopted)
    {
        _context = context;
        _handle = adopted;
    }

    public ReplicaAssignment Assignment => _context.Assignment;

    public ReplicaContext Context => _context;

    public ReplicaReporter Reporter => _context.Reporter;

    public ReplicaHandle? Handle => _handle;

    public bool StopRequested => _stop.IsCancellationRequested;

    public Task? Completion { get; private set; }

    public void Start(CancellationToken daemonShutdown) => Completion = Task.Run(() => RunAsync(daemonShutdown), CancellationToken.None);

    /// <summary>Stops the replica (stop signal, grace period, kill) and ends supervision.</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>For a supervisor that already ended on its own (a finished job run): removes the replica and its status.</summary>
    public Task CleanupAsync() => StopReplicaAsync();

    /// <summary>Set by the agent once a finished job run has been recorded.</summary>
    public bool Recorded { get; set; }

    private ServiceSpec Service => _context.Service;

    private async Task RunAsync(CancellationToken daemonShutdown)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(daemonShutdown, _stop.Token);
        var ct = linked.Token;
        var failures = _context.Reporter.Current.Restarts > 0 ? 1 : 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var outcome = await RunOnceAsync(ct);
                if (ct.IsCancellationRequested)
                {
                    break;
                }

                // A job or cron run happens once: whatever ended it (exit, failure to start) is final.
                if (Service.Rtype != ResourceType.Service)
                {
                    await Reporter.UpdateAsync(s => s with { State = outcome.ExitCode == 0 ? ReplicaState.Exited : ReplicaState.Failed, ExitCode = outcome.ExitCode, Message = outcome.Message }, ct: ct);
                    return;
                }

                if ((Service.Errors?.OnPanic?.Action ?? PanicAction.Restart) == PanicAction.Shutdown)
                {
                    await Reporter.UpdateAsync(s => s with { State = ReplicaState.Failed, ExitCode = outcome.ExitCode, Message = $"{outcome.Message}; not restarted (errors.on_panic: shutdown)" }, ct: ct);
                    return;
                }

                failures = outcome.RanFor >= RestartBackoff.ResetAfter ? 1 : failures + 1;
                var delay = RestartBackoff.Delay(failures);
                var state = failures >= RestartBackoff.CrashLoopThreshold ? ReplicaState.CrashLoop
                    : outcome.Kind == OutcomeKind.Failed ? ReplicaState.Failed : ReplicaState.Exited;
                await Reporter.UpdateAsync(
                    s => s with
                    {
                        State = state,
                        Health = HealthState.Unknown,
                        ExitCode = outcome.ExitCode,
                        Restarts = s.Restarts + 1,
                        Message = $"{outcome.Message}; restarting in {delay.TotalSeconds:0.#}s",
                    },
                    ct: ct);
                await Task.Delay(delay, _context.Time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The supervisor must never die silently: record why and leave the replica to the next pass.
            await Reporter.UpdateAsync(s => s with { State = ReplicaState.Failed, Message = $"supervisor error: {ex.Message}" });
            return;
        }

        if (_stop.IsCancellationRequested)
        {
            await StopReplicaAsync();
        }
    }

    private enum OutcomeKind
    {
        Exited,
        Failed,
        Unhealthy,
    }

    private sealed record Outcome(OutcomeKind Kind, int? ExitCode, string Message, TimeSpan RanFor);

    private async Task<Outcome> RunOnceAsync(CancellationToken ct)
    {
        var started = _context.Time.GetUtcNow();
        try
        {
            if (_handle is null || !await IsRunningAsync(_handle, ct))
            {
                await PrepareAndStartAsync(ct);
            }
            else
            {
                await Reporter.UpdateAsync(s => s with { State = ReplicaState.Running, RuntimeId = _handle.RuntimeId, Message = "re-adopted after a daemon restart" }, ct: ct);
            }

            return await MonitorAsync(started, ct);
        }
        catch (Exception ex) when (ex is RuntimeException or LaunchException or InitFailedException or DependencyFailedException)
        {
            await RemoveQuietlyAsync();
            return new Outcome(OutcomeKind.Failed, null, ex.Message, _context.Time.GetUtcNow() - started);
        }
    }

    private async Task PrepareAndStartAsync(CancellationToken ct)
    {
        if (_handle is not null)
        {
            await RemoveQuietlyAsync();
        }

        if (Service.Depends.Count > 0)
        {
            await Reporter.UpdateAsync(s => s with { State = ReplicaState.WaitingDependencies, Message = null }, ct: ct);
            await _context.Dependencies.WaitAsync(_context.Assignment.Deployment, Service, ct);
        }

        await Reporter.UpdateAsync(s => s with { State = ReplicaState.Creating, Message = null, ExitCode = null }, ct: ct);
        var ports = _context.Ports();
        var addresses = await _context.Dependencies.AddressesAsync(_context.Spec, ct);
        var launch = LaunchSpecBuilder.Build(_context.Assignment, Service, ports, addresses, Environment.GetEnvironmentVariable)
            with
        { Labels = ReplicaLabels.For(_context.Assignment, ports) };
        if (_context.Runtime.Name == "process" && launch.Command.Count == 0)
        {
            throw new LaunchException($"service '{Service.Name}' has no command.entrypoint: the process runtime runs host programs, not images");
        }

        _handle = await _context.Runtime.CreateAsync(launch, ct);
        await Reporter.UpdateAsync(s => s with { RuntimeId = _handle.RuntimeId, Ports = ports }, ct: ct);

        if (Service.Init is { Steps.Count: > 0 })
        {
            await Reporter.UpdateAsync(s => s with { State = ReplicaState.Initializing }, ct: ct);
            await new InitStepRunner(_context.Time, m => _ = Reporter.NoteAsync(m, CancellationToken.None)).RunAsync(Service, ct);
        }

        await Reporter.UpdateAsync(s => s with { State = ReplicaState.Starting }, ct: ct);
        await _context.Runtime.StartAsync(_handle, ct);
        var state = await _context.Runtime.InspectAsync(_handle, ct);
        await Reporter.UpdateAsync(
            s => s with
            {
                State = ReplicaState.Running,
                Health = HealthProbe.EffectiveCheck(Service) is null ? HealthState.Healthy : HealthState.Starting,
                Pid = state.Pid,
                Address = state.Address ?? "127.0.0.1",
                StartedAt = state.StartedAt ?? _context.Time.GetUtcNow(),
                Message = null,
            },
            ct: ct);
    }

    private async Task<bool> IsRunningAsync(ReplicaHandle handle, CancellationToken ct)
    {
        var state = await _context.Runtime.InspectAsync(handle, ct);
        return state.Status == RuntimeStatus.Running;
    }

    /// <summary>Waits for the replica to exit, or to be judged unhealthy under a restart policy.</summary>
    private async Task<Outcome> MonitorAsync(DateTimeOffset started, CancellationToken ct)
    {
        var handle = _handle!;
        using var monitor = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var exit = _context.Runtime.WaitAsync(handle, monitor.Token);
        var health = new HealthMonitor(_context, handle).RunAsync(monitor.Token);
        var first = await Task.WhenAny(exit, health);
        if (first == health && await health)
        {
            // Unhealthy under a restart policy: stop it like a stop request would, then restart.
            await monitor.CancelAsync();
            await StopReplicaAsync(remove: false);
            return new Outcome(OutcomeKind.Unhealthy, null, "unhealthy: restarted", _context.Time.GetUtcNow() - started);
        }

        var final = await exit;
        await monitor.CancelAsync();
        try
        {
            await health;
        }
        catch (OperationCanceledException)
        {
        }

        var message = final.OomKilled ? "killed: out of memory"
            : final.ExitCode is { } code ? $"exited with code {code}{SignalNote(code)}"
            : final.Message ?? "exited";
        return new Outcome(OutcomeKind.Exited, final.ExitCode, message, _context.Time.GetUtcNow() - started);
    }

    private static string SignalNote(int code) => code > 128 && code < 160 ? $" (signal {code - 128})" : "";

    private async Task StopReplicaAsync(bool remove = true)
    {
        if (_handle is null)
        {
            if (remove)
            {
                await Reporter.RemoveAsync();
            }

            return;
        }

        await Reporter.UpdateAsync(s => s with { State = ReplicaState.Stopping, Message = null });
        var signal = SignalNames.ToNumber(Service.StopSignal ?? "SIGTERM") ?? 15;
        var grace = (Service.StopGracePeriod ?? Duration.FromSeconds(10)).Value;
        try
        {
            await _context.Runtime.StopAsync(_handle, signal, grace);
        }
        catch (RuntimeException ex)
        {
            await Reporter.NoteAsync($"stop failed: {ex.Message}");
        }

        if (remove)
        {
            await RemoveQuietlyAsync();
            await Reporter.UpdateAsync(s => s with { State = ReplicaState.Exited, Message = "stopped" });
            await Reporter.RemoveAsync();
            _context.ReleasePorts();
        }
    }

    private async Task RemoveQuietlyAsync()
    {
        if (_handle is null)
        {
            return;
        }

        try
        {
            await _context.Runtime.RemoveAsync(_handle);
        }
        catch (RuntimeException)
        {
            // Already gone: nothing to remove.
        }

        _handle = null;
    }
}
