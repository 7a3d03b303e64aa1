using ZLayer.Control.Telemetry;

namespace ZLayer.Control.Store;

/// <summary>
/// Times every operation of the store underneath for the store latency histogram, whichever
/// store it is. It does not own that store: disposing it leaves the inner store open.
/// </summary>
public sealed class InstrumentedStateStore(IStateStore inner) : IStateStore
{
    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("revision", () => inner.CurrentRevisionAsync(cancellationToken));

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("get", () => inner.GetAsync(key, cancellationToken));

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("range", () => inner.RangeAsync(prefix, cancellationToken));

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("put", () => inner.PutAsync(key, value, lease, cancellationToken));

    public Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("delete", () => inner.DeleteAsync(key, cancellationToken));

    public Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("delete_prefix", () => inner.DeletePrefixAsync(prefix, cancellationToken));

    public Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("txn", () => inner.TxnAsync(compares, success, failure, cancellationToken));

    /// <summary>Not timed: a watch lasts as long as its reader wants.</summary>
    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(prefix, fromRevision, cancellationToken);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("lease_grant", () => inner.GrantLeaseAsync(ttl, cancellationToken));

    public Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("lease_keepalive", async () =>
        {
            await inner.KeepAliveAsync(lease, cancellationToken);
            return true;
        });

    public Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default) =>
        ControlTelemetry.StoreAsync("lease_revoke", async () =>
        {
            await inner.RevokeLeaseAsync(lease, cancellationToken);
            return true;
        });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
