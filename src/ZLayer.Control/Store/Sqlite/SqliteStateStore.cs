using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// The embedded, single-node <see cref="IStateStore"/>: one SQLite file in WAL mode, fsynced on every
/// commit. Each call is one SQLite transaction and at most one revision. One connection serves all
/// calls, taken in turn through a gate; that keeps every read consistent and is ample for one daemon.
/// A lock file keeps a second process from opening the same store.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    // Rows per history read: a watcher replaying a long history releases the gate between batches.
    private const int WatchBatchRows = 256;

    private readonly TimeProvider _time;
    private readonly SqliteStoreOptions _options;
    private readonly StoreFileLock _fileLock;
    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CommitSignal _commits = new();
    private readonly GroupCommit _group;
    private readonly CancellationTokenSource _closing = new();
    private readonly LeaseSweeper _sweeper;
    private int _disposeStarted;
    private volatile bool _disposed;

    private SqliteStateStore(string path, TimeProvider time, SqliteStoreOptions options, StoreFileLock fileLock, SqliteConnection db)
    {
        Path = path;
        _time = time;
        _options = options;
        _fileLock = fileLock;
        _db = db;
        _sweeper = new LeaseSweeper(time, options.LeaseSweepInterval, SweepExpiredLeasesAsync);
        _group = new GroupCommit(path, options.HistoryRevisions);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens (creating when missing) the store at <paramref name="path"/>, takes its lock file, ends the
    /// leases that expired while it was closed, and starts the lease sweep on <paramref name="time"/>.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Another process holds the store, or the file cannot be used.</exception>
    public static async Task<SqliteStateStore> OpenAsync(string path, TimeProvider time, SqliteStoreOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new SqliteStoreOptions();
        options.Validate();
        ct.ThrowIfCancellationRequested();

        var fullPath = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"the store at {fullPath} cannot be created: {e.Message}", e);
        }

        var fileLock = StoreFileLock.Acquire(fullPath, time);
        SqliteConnection? db = null;
        try
        {
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = fullPath,
                Mode = SqliteOpenMode.ReadWriteCreate,

                // A pooled connection would keep the file open after disposal, past the lock's release.
                Pooling = false,
            }.ToString();
            db = new SqliteConnection(connectionString);
            SqliteErrors.Guard(fullPath, () =>
            {
                db.Open();
                SqliteSchema.Initialize(db, fullPath, options.BusyTimeout);
                return 0;
            });

            var store = new SqliteStateStore(fullPath, time, options, fileLock, db);

            // Leases that ran out while no daemon was running end before anyone can read their keys.
            await store.SweepExpiredLeasesAsync(ct).ConfigureAwait(false);
            store._sweeper.Start();
            return store;
        }
        catch
        {
            db?.Dispose();
            fileLock.Dispose();
            throw;
        }
    }

    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default) =>
        UseConnectionAsync(() => SqliteSchema.ReadMeta(_db, null, SqliteSchema.RevisionKey), cancellationToken);

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        return UseConnectionAsync(
            () =>
            {
                using var command = _db.Command(null, "SELECT key, value, create_rev, mod_rev, version, lease FROM kv WHERE key = $key", ("$key", key));
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadKeyValue(reader) : null;
            },
            cancellationToken);
    }

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        var end = StoreKeys.PrefixEnd(prefix);
        return UseConnectionAsync(
            () =>
            {
                // No statement commits between these two: the gate is held, so the items are exactly those at the revision.
                var revision = SqliteSchema.ReadMeta(_db, null, SqliteSchema.RevisionKey);
                var sql = "SELECT key, value, create_rev, mod_rev, version, lease FROM kv WHERE key >= $from"
                    + (end is null ? string.Empty : " AND key < $to") + " ORDER BY key";
                using var command = _db.Command(null, sql, ("$from", prefix), ("$to", end));
                using var reader = command.ExecuteReader();
                var items = new List<KeyValue>();
                while (reader.Read())
                {
                    items.Add(ReadKeyValue(reader));
                }

                return new RangeResult(items, revision);
            },
            cancellationToken);
    }

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long lease = 0, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        var bytes = value.ToArray();
        return WriteAsync(
            write =>
            {
                write.Put(key, bytes, lease, NowUnixMs());
                return write.ResultRevision;
            },
            cancellationToken);
    }

    public Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key, nameof(key));
        return WriteAsync(
            write =>
            {
                write.Delete(key);
                return write.ResultRevision;
            },
            cancellationToken);
    }

    public Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        var end = StoreKeys.PrefixEnd(prefix);
        return WriteAsync(write => write.DeleteRange(prefix, end), cancellationToken);
    }

    public Task<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> success, IReadOnlyList<TxnOp>? failure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compares);
        ArgumentNullException.ThrowIfNull(success);
        failure ??= [];
        foreach (var compare in compares)
        {
            ArgumentNullException.ThrowIfNull(compare, nameof(compares));
            StoreKeys.Validate(compare.Key, nameof(compares));
            ArgumentOutOfRangeException.ThrowIfNegative(compare.ModRevision, nameof(compares));
        }

        ValidateOps(success, nameof(success));
        ValidateOps(failure, nameof(failure));
        return WriteAsync(
            write =>
            {
                var succeeded = compares.All(c => write.ModRevisionOf(c.Key) == c.ModRevision);
                var now = NowUnixMs();
                foreach (var op in succeeded ? success : failure)
                {
                    switch (op)
                    {
                        case TxnOp.Put put:
                            write.Put(put.Key, put.Value, put.Lease, now);
                            break;
                        case TxnOp.Delete delete:
                            write.Delete(delete.Key);
                            break;
                    }
                }

                return new TxnResult(succeeded, write.ResultRevision);
            },
            cancellationToken);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix, nameof(prefix));
        ObjectDisposedException.ThrowIf(_disposed, this);
        var end = StoreKeys.PrefixEnd(prefix);

        // Closing the store ends every watch the same way as the caller's cancellation: quietly.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);

        // Like etcd, a revision of 0 (or less) means "from the next commit on".
        HistoryPosition? position = fromRevision > 0 ? HistoryPosition.Before(fromRevision) : null;
        while (true)
        {
            // Taken before the read: a commit after the read completes this task, so waiting on it below
            // cannot miss a change that the read did not see.
            var committed = _commits.NextCommit;
            var batch = await ReadHistoryAsync(prefix, end, position, stop.Token).ConfigureAwait(false);
            if (batch is null)
            {
                yield break;
            }

            foreach (var change in batch.Events)
            {
                if (stop.IsCancellationRequested)
                {
                    yield break;
                }

                yield return change;
            }

            position = batch.Next;
            if (!batch.CaughtUp)
            {
                continue;
            }

            if (!await WaitAsync(committed, stop.Token).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        if (ttl <= TimeSpan.Zero || ttl > TimeSpan.FromDays(3650))
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a lease TTL must be positive and at most ten years");
        }

        var ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);

        return WriteAsync(write => write.GrantLease(ttlMs, NowUnixMs()), cancellationToken);
    }

    public async Task KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        var alive = await WriteAsync(
            write =>
            {
                var now = NowUnixMs();
                var found = write.FindLease(lease) ?? throw new LeaseNotFoundException(lease);
                if (found.HasExpired(now))
                {
                    // Ended but not swept yet: end it now, so that its keys are gone once the caller hears so.
                    write.EndLease(lease);
                    return false;
                }

                write.RenewLease(found, now);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        if (!alive)
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    public async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default)
    {
        var wasAlive = await WriteAsync(
            write =>
            {
                var found = write.FindLease(lease) ?? throw new LeaseNotFoundException(lease);
                write.EndLease(lease);
                return !found.HasExpired(NowUnixMs());
            },
            cancellationToken).ConfigureAwait(false);

        // An expired lease was already over; its keys are gone now either way, but the caller is told, as etcd does.
        if (!wasAlive)
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    /// <summary>
    /// Discards the change history at or below <paramref name="revision"/> (etcd's compact); watches from
    /// there fail with <see cref="StoreCompactedException"/>. The store also does this on its own beyond
    /// <see cref="SqliteStoreOptions.HistoryRevisions"/>.
    /// </summary>
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        WriteAsync(
            write =>
            {
                if (revision > write.PreviousRevision)
                {
                    throw new ArgumentOutOfRangeException(nameof(revision), revision, $"cannot compact beyond the current revision {write.PreviousRevision}");
                }

                write.CompactThrough(revision);
                return 0;
            },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 1)
        {
            return;
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _db.Dispose();
            _fileLock.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends every lease whose time is up, each in a transaction (and a revision) of its own.</summary>
    internal async Task SweepExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        var now = NowUnixMs();
        var expired = await UseConnectionAsync(
            () =>
            {
                using var command = _db.Command(null, "SELECT id FROM leases WHERE expires_at_unix_ms <= $now ORDER BY expires_at_unix_ms, id", ("$now", now));
                using var reader = command.ExecuteReader();
                var ids = new List<long>();
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }

                return ids;
            },
            cancellationToken).ConfigureAwait(false);

        foreach (var lease in expired)
        {
            await WriteAsync(
                write =>
                {
                    // Checked again: a keep-alive may have won the race since the list was read.
                    if (write.FindLease(lease) is { } found && found.HasExpired(NowUnixMs()))
                    {
                        write.EndLease(lease);
                    }

                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    private static KeyValue ReadKeyValue(SqliteDataReader reader) =>
        new(reader.GetString(0), HistoryReader.ReadBlob(reader, 1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));

    private static void ValidateOps(IReadOnlyList<TxnOp> ops, string parameterName)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            var key = op switch
            {
                TxnOp.Put put => put.Key,
                TxnOp.Delete delete => delete.Key,
                _ => throw new ArgumentException($"unknown transaction operation {op?.GetType().Name ?? "null"}", parameterName),
            };
            StoreKeys.Validate(key, parameterName);
            if (op is TxnOp.Put { Value: null })
            {
                throw new ArgumentException($"the put of '{key}' has no value", parameterName);
            }

            // As in etcd: two operations on one key in one revision would make its history ambiguous.
            if (!keys.Add(key))
            {
                throw new ArgumentException($"the key '{key}' appears twice in one branch of a transaction", parameterName);
            }
        }
    }

    private static async Task<bool> WaitAsync(Task committed, CancellationToken stop)
    {
        try
        {
            await committed.WaitAsync(stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private long NowUnixMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>One history batch for a watch, or null when the watch was stopped while waiting for the gate.</summary>
    private async Task<HistoryBatch?> ReadHistoryAsync(string prefix, string? end, HistoryPosition? position, CancellationToken stop)
    {
        try
        {
            return await UseConnectionAsync(() => HistoryReader.Read(_db, prefix, end, position, WatchBatchRows), stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            return null;
        }
    }

    private async Task<T> UseConnectionAsync<T>(Func<T> use, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqliteErrors.Guard(Path, use);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> as one revision through the group commit, then wakes watchers
    /// if a revision was made. Cancellation is honoured until the write is queued; after that it is
    /// committed (or fails) like any other, so a caller never abandons a write half-decided.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<WriteTransaction, T> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = _group.Enqueue(body);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        var madeRevision = false;
        try
        {
            // A writer that held the connection meanwhile may have committed this write already.
            while (!pending.IsDone)
            {
                madeRevision |= _group.CommitWaiting(_db, _disposed);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (madeRevision)
        {
            _commits.Notify();
        }

        return await pending.Task.ConfigureAwait(false);
    }
}
