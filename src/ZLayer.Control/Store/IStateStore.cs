namespace ZLayer.Control.Store;

/// <summary>
/// The cluster's state, shaped like etcd v3 so that the embedded SQLite store and etcd are
/// interchangeable: keys with byte values, one global revision that every write increments,
/// compare-and-swap on a key's mod revision, prefix watches from a revision, and leases with a TTL
/// whose keys vanish when the lease expires. Loops are written against this interface only.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>The revision of the last committed write (0 for an empty store).</summary>
    Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default);

    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every key starting with <paramref name="prefix"/>, in key order, with the revision they were read at.</summary>
    Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Writes a key; with <paramref name="lease"/> non-zero the key is deleted when the lease ends. Returns the new revision.</summary>
    Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key; returns the new revision, or the current one when the key did not exist.</summary>
    Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes every key under a prefix in one revision; returns how many were deleted.</summary>
    Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically: if every compare holds, applies <paramref name="success"/>, else <paramref name="failure"/>.
    /// All operations of one transaction share one new revision (none when nothing was written).
    /// </summary>
    Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change under <paramref name="prefix"/> with a revision of at least <paramref name="fromRevision"/>,
    /// in revision order, then new changes as they commit, until cancelled. Throws
    /// <see cref="StoreCompactedException"/> when that history is no longer kept.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default);

    /// <summary>Creates a lease that ends <paramref name="ttl"/> after its last keep-alive.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Renews a lease; throws <see cref="LeaseNotFoundException"/> when it has already ended.</summary>
    Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default);

    /// <summary>Ends a lease now, deleting its keys.</summary>
    Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default);
}
