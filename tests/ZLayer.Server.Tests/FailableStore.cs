using System.Runtime.CompilerServices;
using ZLayer.Control.Store;

namespace ZLayer.Server.Tests;

/// <summary>
/// Wraps any store and, while <see cref="FailWith"/> is set, refuses every call as a store on a
/// full or broken disk does, so the API's 503/507 answers are tested whatever store is underneath.
/// </summary>
public sealed class FailableStore(IStateStore inner) : IStateStore
{
    public string? FailWith { get; set; }

    public IStateStore Inner { get; } = inner;

    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default) => Guard(() => Inner.CurrentRevisionAsync(cancellationToken));

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => Guard(() => Inner.GetAsync(key, cancellationToken));

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default) => Guard(() => Inner.RangeAsync(prefix, cancellationToken));

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default) =>
        Guard(() => Inner.PutAsync(key, value, lease, cancellationToken));

    public Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default) => Guard(() => Inner.DeleteAsync(key, cancellationToken));

    public Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => Guard(() => Inner.DeletePrefixAsync(prefix, cancellationToken));

    public Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default) =>
        Guard(() => Inner.TxnAsync(compares, success, failure, cancellationToken));

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Fail();
        await foreach (var change in Inner.WatchAsync(prefix, fromRevision, cancellationToken))
        {
            yield return change;
        }
    }

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => Guard(() => Inner.GrantLeaseAsync(ttl, cancellationToken));

    public Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default) => Guard(() => Inner.KeepAliveAsync(lease, cancellationToken));

    public Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default) => Guard(() => Inner.RevokeLeaseAsync(lease, cancellationToken));

    public ValueTask DisposeAsync() => Inner.DisposeAsync();

    private T Guard<T>(Func<T> call)
    {
        Fail();
        return call();
    }

    private void Fail()
    {
        if (FailWith is { } message)
        {
            throw new StoreUnavailableException(message);
        }
    }
}
