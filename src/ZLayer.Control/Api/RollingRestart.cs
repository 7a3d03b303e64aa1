using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;

namespace ZLayer.Control.Api;

/// <summary>
/// `zlayer restart SERVICE`: replaces the replicas of a service one at a time, each only after the
/// previous one is running and healthy again, so capacity drops by at most one replica.
/// </summary>
public sealed class RollingRestart(StateRepository repository, EventLog events, TimeProvider time)
{
    public static readonly TimeSpan PerReplicaTimeout = TimeSpan.FromMinutes(2);

    public async Task<int> RunAsync(string deployment, string service, CancellationToken ct = default)
    {
        var assignments = (await repository.AssignmentsAsync(deployment, ct)).Where(a => a.Service == service).OrderBy(a => a.Index).ToList();
        if (assignments.Count == 0)
        {
            throw new NotFoundException($"service '{service}' of deployment '{deployment}' has no replicas to restart");
        }

        await events.AppendAsync("service.restarting", $"rolling restart of {assignments.Count} replica(s)", deployment, service, ct: ct);
        foreach (var assignment in assignments)
        {
            var requested = time.GetUtcNow();
            var key = StateKeys.Assignment(deployment, service, assignment.Index);
            var current = await repository.GetAsync<ReplicaAssignment>(key, ct) ?? throw new NotFoundException($"replica {assignment.ReplicaId} disappeared during the restart");
            var nonce = Guid.NewGuid().ToString("N")[..12];
            var txn = await repository.Store.TxnAsync([new TxnCompare(key, current.ModRevision)], [new TxnOp.Put(key, StateJson.Serialize(current.Value with { RestartNonce = nonce }))], cancellationToken: ct);
            if (!txn.Succeeded)
            {
                throw new ConcurrencyException($"replica {assignment.ReplicaId} changed during the restart; try again");
            }

            await WaitHealthyAsync(assignment, requested, ct);
        }

        await events.AppendAsync("service.restarted", $"{assignments.Count} replica(s) restarted", deployment, service, ct: ct);
        return assignments.Count;
    }

    private async Task WaitHealthyAsync(ReplicaAssignment assignment, DateTimeOffset requested, CancellationToken ct)
    {
        var until = time.GetUtcNow() + PerReplicaTimeout;
        while (true)
        {
            var status = await repository.GetAsync<ReplicaStatus>(StateKeys.StatusOf(assignment.Deployment, assignment.Service, assignment.Index), ct);
            if (status is { Value: { State: ReplicaState.Running, Health: HealthState.Healthy } s } && s.StartedAt > requested)
            {
                return;
            }

            if (time.GetUtcNow() >= until)
            {
                throw new TimeoutException($"replica {assignment.ReplicaId} was not running and healthy {PerReplicaTimeout.TotalSeconds:0}s after its restart ({status?.Value.State.ToString().ToLowerInvariant() ?? "no status"}: {status?.Value.Message}); the remaining replicas were not restarted");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
        }
    }
}
