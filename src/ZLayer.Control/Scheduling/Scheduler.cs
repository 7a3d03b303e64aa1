using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Scheduling;

/// <summary>
/// Turns deployments into replica assignments: for every long-running service, replicas 1..N on a
/// node, N from `zlayer scale` (or the autoscaler) else the spec's initial count. Level-triggered:
/// each pass reads all desired state and writes only the differences, so it is safe to run at any
/// time and after any crash. Scaling down removes the highest indexes.
/// </summary>
public sealed class Scheduler(StateRepository repository, EventLog events, string nodeId)
{
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        using var loop = new ReconcileLoop(
            "scheduler",
            repository.Store,
            key => key.StartsWith(StateKeys.Deployments, StringComparison.Ordinal) || key.StartsWith(StateKeys.Scale, StringComparison.Ordinal),
            ResyncInterval,
            TimeSpan.Zero);
        await loop.RunAsync(ReconcileAsync, ct);
    }

    /// <summary>One pass: make the assignments match the deployments. Returns how many records it changed.</summary>
    public async Task<int> ReconcileAsync(CancellationToken ct = default)
    {
        var deployments = await repository.DeploymentsAsync(ct);
        var overrides = (await repository.ScaleOverridesAsync(ct)).ToDictionary(o => (o.Deployment, o.Service));
        var current = (await repository.AssignmentsAsync(null, ct)).ToDictionary(a => a.ReplicaId);
        var wanted = new Dictionary<string, ReplicaAssignment>(StringComparer.Ordinal);
        var runs = (await repository.ListAsync<JobExecution>(StateKeys.Jobs, ct)).Where(r => !r.IsFinished).ToList();

        foreach (var record in deployments)
        {
            var spec = DeploymentSpecs.Parse(record);
            foreach (var service in spec.Services.Values.Where(s => s.Rtype == ResourceType.Service))
            {
                var scale = service.Scale ?? ScaleSpec.Default;
                var count = overrides.TryGetValue((record.Name, service.Name), out var set) && set.AppliesTo(scale) ? set.Replicas : (int)scale.InitialReplicas;
                var hash = SpecHash.Of(service);
                for (var index = 1; index <= count; index++)
                {
                    var id = StateKeys.ReplicaId(record.Name, service.Name, index);
                    var existing = current.GetValueOrDefault(id);
                    wanted[id] = existing is not null && existing.SpecHash == hash
                        ? existing
                        : new ReplicaAssignment(id, record.Name, service.Name, index, existing?.Node ?? nodeId, hash, record.Generation, existing?.RestartNonce);
                }
            }

            // A run of a job or cron service is a replica whose index is the run number, wanted until it finishes.
            foreach (var run in runs.Where(r => r.Deployment == record.Name && spec.Services.ContainsKey(r.Service)))
            {
                var id = StateKeys.ReplicaId(record.Name, run.Service, run.Number);
                wanted[id] = current.GetValueOrDefault(id)
                    ?? new ReplicaAssignment(id, record.Name, run.Service, run.Number, nodeId, SpecHash.Of(spec.Services[run.Service]), record.Generation);
            }
        }

        // Every change with its event, written in as few commits as possible.
        var writes = new List<(IReadOnlyList<TxnOp> Changes, EventLog.Draft Event)>();
        foreach (var (id, assignment) in wanted)
        {
            if (!current.TryGetValue(id, out var existing) || existing != assignment)
            {
                var put = new TxnOp.Put(StateKeys.Assignment(assignment.Deployment, assignment.Service, assignment.Index), StateJson.Serialize(assignment));
                writes.Add(([put], existing is null
                    ? new EventLog.Draft("replica.scheduled", $"assigned to node {assignment.Node}", assignment.Deployment, assignment.Service, id)
                    : new EventLog.Draft("replica.updated", "spec changed; the replica will be replaced", assignment.Deployment, assignment.Service, id)));
            }
        }

        foreach (var stale in current.Values.Where(a => !wanted.ContainsKey(a.ReplicaId)).OrderByDescending(a => a.Index))
        {
            var delete = new TxnOp.Delete(StateKeys.Assignment(stale.Deployment, stale.Service, stale.Index));
            writes.Add(([delete], new EventLog.Draft("replica.unscheduled", "no longer wanted; the replica will be stopped", stale.Deployment, stale.Service, stale.ReplicaId)));
        }

        if (writes.Count > 0)
        {
            await events.AppendBatchAsync(writes, ct);
        }

        return writes.Count;
    }
}
