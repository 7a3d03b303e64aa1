using System.Runtime.CompilerServices;
using ZLayer.Control.Store.Sqlite;

namespace ZLayer.Control.Store.Etcd;

/// <summary>
/// The state store on an etcd v3 cluster, through its JSON gateway (no gRPC library installs
/// here). etcd already has the store's model (revisions, mod-revision compares, prefix watches,
/// leases), so every operation is one etcd call; keys live under <see cref="EtcdStoreOptions.Namespace"/>.
/// </summary>
public sealed class EtcdStateStore : IStateStore
{
    private readonly EtcdClient _client;
    private readonly EtcdKeys _keys;
    private readonly EtcdStoreOptions _options;
    private readonly CancellationTokenSource _closing = new();

    private EtcdStateStore(EtcdStoreOptions options)
    {
        _options = options;
        _client = new EtcdClient(options);
        _keys = new EtcdKeys(options.Namespace);
    }

    /// <summary>Connects and checks that a member answers, so a wrong address fails at start, not at the first write.</summary>
    public static async Task<EtcdStateStore> OpenAsync(EtcdStoreOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is needed", nameof(options));
        }

        var store = new EtcdStateStore(options);
        try
        {
            await store.CurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The members, as messages name them.</summary>
    public string Endpoints => _client.Describe;

    public async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        var response = await RangeCallAsync(new EtcdWire.RangeRequest(_keys.Key(""), _keys.RangeEnd(""), Limit: 1, KeysOnly: true), cancellationToken).ConfigureAwait(false);
        return Revision(response.Header);
    }

    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        var response = await RangeCallAsync(new EtcdWire.RangeRequest(_keys.Key(key)), cancellationToken).ConfigureAwait(false);
        return response.Kvs is [var kv, ..] ? _keys.ToKeyValue(kv) : null;
    }

    public async Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        var response = await RangeCallAsync(new EtcdWire.RangeRequest(_keys.Key(prefix), _keys.RangeEnd(prefix)), cancellationToken).ConfigureAwait(false);
        return new RangeResult([.. (response.Kvs ?? []).Select(_keys.ToKeyValue)], Revision(response.Header));
    }

    public async Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        var response = await WriteCallAsync<EtcdWire.PutRequest, EtcdWire.PutResponse>(
            "/v3/kv/put", Put(key, value.ToArray(), lease), lease, cancellationToken).ConfigureAwait(false);
        return Revision(response.Header);
    }

    public async Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        var response = await WriteCallAsync<EtcdWire.DeleteRangeRequest, EtcdWire.DeleteRangeResponse>(
            "/v3/kv/deleterange", new EtcdWire.DeleteRangeRequest(_keys.Key(key)), 0, cancellationToken).ConfigureAwait(false);
        return Revision(response.Header);
    }

    public async Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        var response = await WriteCallAsync<EtcdWire.DeleteRangeRequest, EtcdWire.DeleteRangeResponse>(
            "/v3/kv/deleterange", new EtcdWire.DeleteRangeRequest(_keys.Key(prefix), _keys.RangeEnd(prefix)), 0, cancellationToken).ConfigureAwait(false);
        return response.Deleted;
    }

    public async Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default)
    {
        foreach (var compare in compares)
        {
            StoreKeys.Validate(compare.Key, nameof(compares));
        }

        var request = new EtcdWire.TxnRequest(
            [.. compares.Select(c => new EtcdWire.Compare(_keys.Key(c.Key), "MOD", "EQUAL", c.ModRevision))],
            [.. success.Select(Op)],
            [.. (failure ?? []).Select(Op)]);
        var lease = success.Concat(failure ?? []).OfType<TxnOp.Put>().Select(p => p.Lease).FirstOrDefault(l => l != 0);
        var response = await WriteCallAsync<EtcdWire.TxnRequest, EtcdWire.TxnResponse>("/v3/kv/txn", request, lease, cancellationToken).ConfigureAwait(false);
        return new TxnResult(response.Succeeded, Revision(response.Header));
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);

        // Closing the store ends every watch the same way as the caller's cancellation: quietly.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        var next = fromRevision;
        if (next <= 0)
        {
            // Like the embedded store (and etcd itself), 0 means "from the next commit on".
            long current;
            try
            {
                current = await CurrentRevisionAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                yield break;
            }

            next = current + 1;
        }

        var create = new EtcdWire.WatchRequest(new EtcdWire.WatchCreate(_keys.Key(prefix), _keys.RangeEnd(prefix), next));
        await using var stream = new EtcdWatchStream(_client, _options.WatchRetryDelay);
        while (true)
        {
            var batch = await stream.NextAsync(create with { CreateRequest = create.CreateRequest with { StartRevision = next } }, stop.Token).ConfigureAwait(false);
            if (batch is null)
            {
                yield break;
            }

            if (batch.CompactRevision > 0)
            {
                throw new StoreCompactedException(next, batch.CompactRevision);
            }

            foreach (var change in batch.Events ?? [])
            {
                var kv = change.Kv ?? throw new StoreUnavailableException($"etcd at {_client.Describe} sent a watch event without its key");
                var type = change.Type == "DELETE" ? WatchEventType.Delete : WatchEventType.Put;
                var value = type == WatchEventType.Delete ? _keys.ToKeyValue(kv with { Value = [] }) : _keys.ToKeyValue(kv);
                yield return new WatchEvent(type, value, kv.ModRevision);

                // Resume after the last revision delivered, should the stream break.
                next = Math.Max(next, kv.ModRevision + 1);
            }
        }
    }

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        var response = await WriteCallAsync<EtcdWire.LeaseGrantRequest, EtcdWire.LeaseGrantResponse>(
            "/v3/lease/grant", new EtcdWire.LeaseGrantRequest(seconds), 0, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(response.Error) && response.Id != 0
            ? response.Id
            : throw new StoreUnavailableException($"etcd at {_client.Describe} granted no lease: {response.Error}");
    }

    public async Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        // Renewing twice is harmless, so a keep-alive may go to the next member like a read.
        var response = await MapAsync(
            () => _client.CallAsync<EtcdWire.LeaseIdRequest, EtcdWire.StreamMessage<EtcdWire.LeaseKeepAliveResponse>>(
                "/v3/lease/keepalive", new EtcdWire.LeaseIdRequest(lease), idempotent: true, cancellationToken),
            lease).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            throw new StoreUnavailableException($"etcd at {_client.Describe} refused to renew lease {lease}: {error.Message ?? error.Error}");
        }

        // etcd answers a lease it does not know with a TTL of 0 (left out of the JSON).
        if (response.Result is not { Ttl: > 0 })
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    public Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default) =>
        WriteCallAsync<EtcdWire.LeaseIdRequest, EtcdWire.PutResponse>("/v3/lease/revoke", new EtcdWire.LeaseIdRequest(lease), lease, cancellationToken);

    /// <summary>Drops the history before <paramref name="revision"/>; watches from older revisions then fail as compacted.</summary>
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        WriteCallAsync<EtcdWire.CompactionRequest, EtcdWire.PutResponse>("/v3/kv/compaction", new EtcdWire.CompactionRequest(revision, true), 0, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_closing.IsCancellationRequested)
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            _client.Dispose();
        }
    }

    private static long Revision(EtcdWire.Header? header) => header?.Revision ?? 0;

    private EtcdWire.PutRequest Put(string key, byte[] value, long lease) => new(_keys.Key(key), value, lease == 0 ? null : lease);

    private EtcdWire.RequestOp Op(TxnOp op) => op switch
    {
        TxnOp.Put put => new EtcdWire.RequestOp(RequestPut: Put(Validated(put.Key), put.Value, put.Lease)),
        TxnOp.Delete delete => new EtcdWire.RequestOp(RequestDeleteRange: new EtcdWire.DeleteRangeRequest(_keys.Key(Validated(delete.Key)))),
        _ => throw new ArgumentException($"unknown transaction operation {op.GetType().Name}", nameof(op)),
    };

    private static string Validated(string key)
    {
        StoreKeys.Validate(key, "key");
        return key;
    }

    private Task<EtcdWire.RangeResponse> RangeCallAsync(EtcdWire.RangeRequest request, CancellationToken ct) =>
        MapAsync(() => _client.CallAsync<EtcdWire.RangeRequest, EtcdWire.RangeResponse>("/v3/kv/range", request, idempotent: true, ct), 0);

    private Task<TResponse> WriteCallAsync<TRequest, TResponse>(string path, TRequest request, long lease, CancellationToken ct) =>
        MapAsync(() => _client.CallAsync<TRequest, TResponse>(path, request, idempotent: false, ct), lease);

    /// <summary>etcd's refusals as the store contract names them.</summary>
    private async Task<T> MapAsync<T>(Func<Task<T>> call, long lease)
    {
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (EtcdCallException ex) when (ex.IsLeaseNotFound)
        {
            throw new LeaseNotFoundException(lease);
        }
        catch (EtcdCallException ex)
        {
            throw new StoreUnavailableException($"etcd at {_client.Describe}: {ex.Message}", ex);
        }
    }
}
