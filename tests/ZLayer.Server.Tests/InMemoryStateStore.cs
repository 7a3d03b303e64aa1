using System.Runtime.CompilerServices;
using ZLayer.Control.Store;

namespace ZLayer.Server.Tests;

/// <summary>
/// An <see cref="IStateStore"/> in memory with etcd's semantics: one global revision bumped by
/// every write (a transaction or prefix delete is one revision), per-key create/mod revisions and
/// versions, compare-and-swap on mod revision, watches replayed from any revision, and leases
/// whose keys vanish when they expire. It exists so the API can be tested before the SQLite store
/// lands.
/// </summary>
public sealed class InMemoryStateStore(TimeProvider? time = null) : IStateStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, KeyValue> _data = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _history = [];
    private readonly Dictionary<long, (TimeSpan Ttl, DateTimeOffset Expires)> _leases = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _revision;
    private long _nextLease;

    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            return Task.FromResult(_revision);
        }
    }

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            return Task.FromResult(_data.GetValueOrDefault(key));
        }
    }

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            return Task.FromResult(new RangeResult([.. _data.Values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))], _revision));
        }
    }

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            RequireLease(lease);
            var revision = ++_revision;
            Put(key, value.ToArray(), lease, revision);
            Publish();
            return Task.FromResult(revision);
        }
    }

    public Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            if (!_data.ContainsKey(key))
            {
                return Task.FromResult(_revision);
            }

            var revision = ++_revision;
            Delete(key, revision);
            Publish();
            return Task.FromResult(revision);
        }
    }

    public Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            var keys = _data.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (keys.Count == 0)
            {
                return Task.FromResult(0L);
            }

            var revision = ++_revision;
            keys.ForEach(k => Delete(k, revision));
            Publish();
            return Task.FromResult((long)keys.Count);
        }
    }

    public Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            var holds = compares.All(c => (_data.GetValueOrDefault(c.Key)?.ModRevision ?? 0) == c.ModRevision);
            var ops = holds ? success : failure ?? [];
            foreach (var op in ops)
            {
                if (op is TxnOp.Put p)
                {
                    RequireLease(p.Lease);
                }
            }

            var writes = ops.Any(op => op is TxnOp.Put || (op is TxnOp.Delete d && _data.ContainsKey(d.Key)));
            if (!writes)
            {
                return Task.FromResult(new TxnResult(holds, _revision));
            }

            var revision = ++_revision;
            foreach (var op in ops)
            {
                switch (op)
                {
                    case TxnOp.Put put:
                        Put(put.Key, put.Value, put.Lease, revision);
                        break;
                    case TxnOp.Delete del when _data.ContainsKey(del.Key):
                        Delete(del.Key, revision);
                        break;
                    default:
                        break;
                }
            }

            Publish();
            return Task.FromResult(new TxnResult(holds, revision));
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = fromRevision;
        while (true)
        {
            List<WatchEvent> batch;
            Task changed;
            lock (_gate)
            {
                Check();
                batch = [.. _history.Where(e => e.Revision >= next && e.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))];
                next = _revision + 1;
                changed = _changed.Task;
            }

            foreach (var change in batch)
            {
                yield return change;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            var id = ++_nextLease;
            _leases[id] = (ttl, _time.GetUtcNow() + ttl);
            return Task.FromResult(id);
        }
    }

    public Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            RequireLease(lease);
            _leases[lease] = (_leases[lease].Ttl, _time.GetUtcNow() + _leases[lease].Ttl);
            return Task.CompletedTask;
        }
    }

    public Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check();
            RequireLease(lease);
            EndLease(lease);
            return Task.CompletedTask;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs under the lock before every operation: leases expire lazily, as time is observed.</summary>
    private void Check()
    {
        var now = _time.GetUtcNow();
        foreach (var expired in _leases.Where(l => l.Value.Expires <= now).Select(l => l.Key).ToList())
        {
            EndLease(expired);
        }
    }

    private void RequireLease(long lease)
    {
        if (lease != 0 && !_leases.ContainsKey(lease))
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    private void EndLease(long lease)
    {
        _leases.Remove(lease);
        var keys = _data.Values.Where(kv => kv.Lease == lease).Select(kv => kv.Key).ToList();
        if (keys.Count > 0)
        {
            var revision = ++_revision;
            keys.ForEach(k => Delete(k, revision));
            Publish();
        }
    }

    private void Put(string key, byte[] value, long lease, long revision)
    {
        var existing = _data.GetValueOrDefault(key);
        var kv = new KeyValue(key, value, existing?.CreateRevision ?? revision, revision, (existing?.Version ?? 0) + 1, lease);
        _data[key] = kv;
        _history.Add(new WatchEvent(WatchEventType.Put, kv, revision));
    }

    private void Delete(string key, long revision)
    {
        var existing = _data[key];
        _data.Remove(key);
        _history.Add(new WatchEvent(WatchEventType.Delete, existing with { Value = [], ModRevision = revision, Version = 0 }, revision));
    }

    private void Publish()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }
}
