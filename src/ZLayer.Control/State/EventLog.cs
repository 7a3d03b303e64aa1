using System.Runtime.CompilerServices;
using ZLayer.Control.Model;
using ZLayer.Control.Store;

namespace ZLayer.Control.State;

/// <summary>
/// Events in the store under <see cref="StateKeys.Events"/>, numbered by the store revision that
/// wrote them (unique, ordered, and the natural resume point for a watch); the oldest are trimmed
/// beyond <see cref="Retain"/>.
/// </summary>
public sealed class EventLog(IStateStore store, TimeProvider time)
{
    public const int Retain = 5000;

    private long _writes;

    public async Task<ClusterEvent> AppendAsync(string type, string message, string? deployment = null, string? service = null, string? replica = null, CancellationToken ct = default)
    {
        // The key must be known before the write; a sequence from the current revision plus a
        // per-process counter keeps keys unique and ordered across concurrent writers of one store.
        var sequence = (await store.CurrentRevisionAsync(ct) + 1) * 1000 + Interlocked.Increment(ref _writes) % 1000;
        var evt = new ClusterEvent(sequence, time.GetUtcNow(), type, deployment, service, replica, message);
        await store.PutAsync(StateKeys.Event(sequence), StateJson.Serialize(evt), 0, ct);
        if (Interlocked.Read(ref _writes) % 500 == 0)
        {
            await TrimAsync(ct);
        }

        return evt;
    }

    public async Task<List<ClusterEvent>> ListAsync(DateTimeOffset? since = null, CancellationToken ct = default)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        return [.. range.Items.Select(i => StateJson.Deserialize<ClusterEvent>(i.Value)).Where(e => since is null || e.Time >= since)];
    }

    /// <summary>Events from <paramref name="afterSequence"/> on: first the stored ones, then new ones as they are written.</summary>
    public async IAsyncEnumerable<ClusterEvent> FollowAsync(long afterSequence, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        foreach (var item in range.Items)
        {
            var evt = StateJson.Deserialize<ClusterEvent>(item.Value);
            if (evt.Sequence > afterSequence)
            {
                afterSequence = evt.Sequence;
                yield return evt;
            }
        }

        await foreach (var change in store.WatchAsync(StateKeys.Events, range.Revision + 1, ct))
        {
            if (change.Type == WatchEventType.Put)
            {
                var evt = StateJson.Deserialize<ClusterEvent>(change.Kv.Value);
                if (evt.Sequence > afterSequence)
                {
                    afterSequence = evt.Sequence;
                    yield return evt;
                }
            }
        }
    }

    private async Task TrimAsync(CancellationToken ct)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        foreach (var item in range.Items.Take(Math.Max(0, range.Items.Count - Retain)))
        {
            await store.DeleteAsync(item.Key, ct);
        }
    }
}
