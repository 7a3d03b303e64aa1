using ZLayer.Control.Model;
using ZLayer.Control.Store;

namespace ZLayer.Control.State;

/// <summary>Typed reads and writes of the records in <see cref="StateKeys"/> over any <see cref="IStateStore"/>.</summary>
public sealed class StateRepository(IStateStore store)
{
    public IStateStore Store { get; } = store;

    public async Task<(T Value, long ModRevision)?> GetAsync<T>(string key, CancellationToken ct = default)
    {
        var kv = await Store.GetAsync(key, ct);
        return kv is null ? null : (StateJson.Deserialize<T>(kv.Value), kv.ModRevision);
    }

    public async Task<List<T>> ListAsync<T>(string prefix, CancellationToken ct = default)
    {
        var range = await Store.RangeAsync(prefix, ct);
        return [.. range.Items.Select(i => StateJson.Deserialize<T>(i.Value))];
    }

    public Task<long> PutAsync<T>(string key, T value, CancellationToken ct = default) =>
        Store.PutAsync(key, StateJson.Serialize(value), 0, ct);

    public Task<List<DeploymentRecord>> DeploymentsAsync(CancellationToken ct = default) => ListAsync<DeploymentRecord>(StateKeys.Deployments, ct);

    public Task<List<ReplicaAssignment>> AssignmentsAsync(string? deployment = null, CancellationToken ct = default) =>
        ListAsync<ReplicaAssignment>(deployment is null ? StateKeys.Assignments : StateKeys.AssignmentsOf(deployment), ct);

    public Task<List<ReplicaStatus>> StatusesAsync(string? deployment = null, CancellationToken ct = default) =>
        ListAsync<ReplicaStatus>(deployment is null ? StateKeys.Status : StateKeys.StatusesOf(deployment), ct);

    public Task<List<ScaleOverride>> ScaleOverridesAsync(CancellationToken ct = default) => ListAsync<ScaleOverride>(StateKeys.Scale, ct);
}
