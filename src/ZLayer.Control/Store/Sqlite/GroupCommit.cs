using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// Writes that arrive while another commits wait here; whoever holds the connection next commits
/// all of them in one SQLite transaction, so a burst of writes (a hundred replicas reporting at
/// once) costs one fsync instead of one each. Each write is still its own revision, made in
/// arrival order, inside a savepoint: one that fails (an expired lease, say) is undone alone and
/// the others commit. A write is acknowledged only after the commit that holds it is durable.
/// </summary>
internal sealed class GroupCommit(string path, long historyRevisions)
{
    /// <summary>Writes per SQLite transaction, to bound the time the connection is held.</summary>
    private const int MaxBatch = 256;

    private const string Savepoint = "write";

    private readonly ConcurrentQueue<PendingWrite> _queue = new();

    public PendingWrite<T> Enqueue<T>(Func<WriteTransaction, T> body)
    {
        var pending = new PendingWrite<T>(body);
        _queue.Enqueue(pending);
        return pending;
    }

    /// <summary>
    /// Commits the writes waiting (up to <see cref="MaxBatch"/>); the caller holds the connection.
    /// Returns whether a new revision was made, so that watchers are woken.
    /// </summary>
    public bool CommitWaiting(SqliteConnection db, bool disposed)
    {
        var batch = new List<PendingWrite>();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        if (batch.Count == 0)
        {
            return false;
        }

        bool madeRevision;
        try
        {
            ObjectDisposedException.ThrowIf(disposed, typeof(SqliteStateStore));
            madeRevision = SqliteErrors.Guard(path, () => Commit(db, batch));
        }
        catch (Exception e)
        {
            // Nothing of the batch reached the disk: every write in it fails.
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }

            return false;
        }

        foreach (var pending in batch)
        {
            pending.Complete();
        }

        return madeRevision;
    }

    private bool Commit(SqliteConnection db, List<PendingWrite> batch)
    {
        using var transaction = db.BeginTransaction();
        var revision = SqliteSchema.ReadMeta(db, transaction, SqliteSchema.RevisionKey);
        var madeRevision = false;
        foreach (var pending in batch)
        {
            transaction.Save(Savepoint);
            try
            {
                var write = new WriteTransaction(db, transaction, historyRevisions, revision);
                pending.Run(write);
                if (write.Finish())
                {
                    revision = write.Revision;
                    madeRevision = true;
                }
            }
            catch (Exception e) when (e is not SqliteException)
            {
                // The write's own failure: undo it alone. A SQLite failure (disk full, I/O)
                // ends the whole batch instead, through the caller.
                transaction.Rollback(Savepoint);
                pending.Refuse(e);
            }

            transaction.Release(Savepoint);
        }

        transaction.Commit();
        return madeRevision;
    }
}

/// <summary>One write waiting for a group commit.</summary>
internal abstract class PendingWrite
{
    public abstract void Run(WriteTransaction write);

    /// <summary>The write itself failed; the others in its batch go on.</summary>
    public abstract void Refuse(Exception error);

    /// <summary>Its batch committed: the caller gets the result, or its own failure.</summary>
    public abstract void Complete();

    /// <summary>Its batch did not commit.</summary>
    public abstract void Fail(Exception error);
}

internal sealed class PendingWrite<T>(Func<WriteTransaction, T> body) : PendingWrite
{
    // Continuations run elsewhere: the committer still holds the connection when it completes these.
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _done.Task;

    public bool IsDone => _done.Task.IsCompleted;

    public override void Run(WriteTransaction write)
    {
        _error = null;
        _result = body(write);
    }

    public override void Refuse(Exception error) => _error = error;

    public override void Complete()
    {
        if (_error is not null)
        {
            _done.TrySetException(_error);
        }
        else
        {
            _done.TrySetResult(_result!);
        }
    }

    public override void Fail(Exception error) => _done.TrySetException(_error ?? error);
}
