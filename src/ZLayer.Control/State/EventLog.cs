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

    /// <summary>Events per commit when many are written together, to bound one transaction's size.</summary>
    private const int BatchSize = 200;

    private readonly Lock _counterLock = new();
    private long _writes;
    private long _sinceTrim;

    /// <summary>An event to write, with the change it tells of.</summary>
    public sealed record Draft(string Type, string Message, string? Deployment = null, string? Service = null, string? Replica = null);

    public Task<ClusterEvent> AppendAsync(string type, string message, string? deployment = null, string? service = null, string? replica = null, CancellationToken ct = default) =>
        AppendWithAsync([], type, message, deployment, service, replica, ct);

    /// <summary>
    /// Writes <paramref name="changes"/> and the event in one commit: the change and the event
    /// that tells of it are never seen apart, and the store syncs its disk once for both.
    /// </summary>
    public async Task<ClusterEvent> AppendWithAsync(IReadOnlyList<TxnOp> changes, string type, string message, string? deployment = null, string? service = null, string? replica = null, CancellationToken ct = default) =>
        (await AppendBatchAsync([(changes, new Draft(type, message, deployment, service, replica))], ct))[0];

    /// <summary>
    /// Writes many changes, each with its event, in as few commits as the batch size allows: the
    /// scheduler placing a hundred replicas syncs the disk once, not two hundred times.
    /// </summary>
    public async Task<List<ClusterEvent>> AppendBatchAsync(IReadOnlyList<(IReadOnlyList<TxnOp> Changes, Draft Event)> items, CancellationToken ct = default)
    {
        var written = new List<ClusterEvent>(items.Count);
        foreach (var chunk in items.Chunk(BatchSize))
        {
            // Keys must be known before the write: the next revision times 1000, plus a
            // per-process counter, keeps them unique and ordered across concurrent writers of one
            // store. A chunk takes consecutive counter values that do not wrap past 999.
            var first = Reserve(chunk.Length);
            var revision = await store.CurrentRevisionAsync(ct) + 1;
            var ops = new List<TxnOp>();
            for (var i = 0; i < chunk.Length; i++)
            {
                var (changes, draft) = chunk[i];
                var evt = new ClusterEvent(revision * 1000 + first + i, time.GetUtcNow(), draft.Type, draft.Deployment, draft.Service, draft.Replica, draft.Message);
                ops.AddRange(changes);
                ops.Add(new TxnOp.Put(StateKeys.Event(evt.Sequence), StateJson.Serialize(evt)));
                written.Add(evt);
            }

            await store.TxnAsync([], ops, cancellationToken: ct);
        }

        if (Interlocked.Add(ref _sinceTrim, items.Count) >= Retain / 10)
        {
            Interlocked.Exchange(ref _sinceTrim, 0);
            await TrimAsync(ct);
        }

        return written;
    }

    private long Reserve(int count)
    {
        lock (_counterLock)
        {
            var offset = _writes % 1000;
            if (offset + count > 1000)
            {
                _writes += 1000 - offset;
            }

            var first = _writes % 1000;
            _writes += count;
            return first;
        }
    }

    public async Task<List<ClusterEvent>> ListAsync(DateTimeOffset? since = null, CancellationToken ct = default)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        return [.. range.Items.Select(i => StateJson.Deserialize<ClusterEvent>(i.Value)).Where(e => since is null || e.Time >= since)];
    }

    /// <summary>Events from <paramref name="resumeAfter"/> on: first the stored ones, then new ones as they are written.</summary>
    public async IAsyncEnumerable<ClusterEvent> FollowAsync(long resumeAfter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        foreach (var item in range.Items)
        {
            var evt = StateJson.Deserialize<ClusterEvent>(item.Value);
            if (evt.Sequence > resumeAfter)
            {
                yield return evt;
            }
        }

        // The watch delivers each later commit once, in commit order. Sequences are taken before
        // their commit, so concurrent writers can commit slightly out of sequence order: comparing
        // with the last one shown would drop such an event, comparing with the resume point not.
        await foreach (var change in store.WatchAsync(StateKeys.Events, range.Revision + 1, ct))
        {
            if (change.Type == WatchEventType.Put)
            {
                var evt = StateJson.Deserialize<ClusterEvent>(change.Kv.Value);
                if (evt.Sequence > resumeAfter)
                {
                    yield return evt;
                }
            }
        }
    }

    private async Task TrimAsync(CancellationToken ct)
    {
        var range = await store.RangeAsync(StateKeys.Events, ct);
        foreach (var chunk in range.Items.Take(Math.Max(0, range.Items.Count - Retain)).Chunk(BatchSize))
        {
            await store.TxnAsync([], [.. chunk.Select(item => new TxnOp.Delete(item.Key))], cancellationToken: ct);
        }
    }
}
