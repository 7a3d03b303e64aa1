using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Control.Store;

namespace ZLayer.Control.Agent;

/// <summary>
/// The agent's record of one replica: every change is written to the store (the only truth the
/// API and other loops read) and every state transition becomes an event.
/// </summary>
public sealed class ReplicaReporter(StateRepository repository, EventLog events, TimeProvider time, ReplicaStatus initial)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ReplicaStatus Current { get; private set; } = initial;

    public async Task UpdateAsync(Func<ReplicaStatus, ReplicaStatus> change, string? eventMessage = null, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var before = Current;
            var after = change(before) with { UpdatedAt = time.GetUtcNow() };
            Current = after;
            var key = StateKeys.StatusOf(after.Deployment, after.Service, after.Index);
            if (before.State != after.State || before.Health != after.Health || eventMessage is not null)
            {
                var type = before.State != after.State ? $"replica.{Kebab(after.State)}" : before.Health != after.Health ? $"replica.{Kebab(after.Health)}" : "replica.info";
                var message = eventMessage ?? after.Message ?? $"{Kebab(before.State)} -> {Kebab(after.State)}";
                await events.AppendWithAsync([new TxnOp.Put(key, StateJson.Serialize(after))], type, message, after.Deployment, after.Service, after.ReplicaId, CancellationToken.None);
            }
            else
            {
                await repository.PutAsync(key, after, CancellationToken.None);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task NoteAsync(string message, CancellationToken ct = default) =>
        events.AppendAsync("replica.info", message, Current.Deployment, Current.Service, Current.ReplicaId, ct);

    public Task RemoveAsync() =>
        repository.Store.DeleteAsync(StateKeys.StatusOf(Current.Deployment, Current.Service, Current.Index));

    private static string Kebab<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
