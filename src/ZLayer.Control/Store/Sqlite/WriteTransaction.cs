using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// The changes of one revision inside a group commit's SQLite transaction: every key change in it
/// is stamped with <see cref="Revision"/> and recorded in the history in the order it was made.
/// <see cref="GroupCommit"/> wraps each in a savepoint, so a failed one leaves no trace.
/// </summary>
internal sealed class WriteTransaction
{
    private const int PutEvent = 0;
    private const int DeleteEvent = 1;

    private readonly SqliteConnection _db;
    private readonly SqliteTransaction _transaction;
    private readonly long _historyRevisions;
    private long _nextSeq;

    public WriteTransaction(SqliteConnection db, SqliteTransaction transaction, long historyRevisions, long previousRevision)
    {
        _db = db;
        _transaction = transaction;
        _historyRevisions = historyRevisions;
        PreviousRevision = previousRevision;
    }

    /// <summary>The store's revision before this transaction.</summary>
    public long PreviousRevision { get; }

    /// <summary>The revision this transaction's changes carry.</summary>
    public long Revision => PreviousRevision + 1;

    /// <summary>Whether a key changed, which is what makes a new revision.</summary>
    public bool Changed => _nextSeq > 0;

    /// <summary>The store's revision once this transaction commits.</summary>
    public long ResultRevision => Changed ? Revision : PreviousRevision;

    /// <summary>The key's mod revision, 0 when it does not exist (the etcd convention compares rely on).</summary>
    public long ModRevisionOf(string key) =>
        _db.Int64OrNull(_transaction, "SELECT mod_rev FROM kv WHERE key = $key", ("$key", key)) ?? 0;

    public void Put(string key, byte[] value, long lease, long nowUnixMs)
    {
        if (lease != 0 && FindLease(lease) is var found && (found is null || found.HasExpired(nowUnixMs)))
        {
            // An expired lease the sweep has not reached yet is already gone as far as callers can tell.
            throw new LeaseNotFoundException(lease);
        }

        long createRevision;
        long version;
        using (var command = _db.Command(
            _transaction,
            """
            INSERT INTO kv (key, value, create_rev, mod_rev, version, lease) VALUES ($key, $value, $rev, $rev, 1, $lease)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = kv.version + 1, lease = excluded.lease
            RETURNING create_rev, version
            """,
            ("$key", key),
            ("$value", value),
            ("$rev", Revision),
            ("$lease", lease)))
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            createRevision = reader.GetInt64(0);
            version = reader.GetInt64(1);
        }

        _db.Execute(
            _transaction,
            "INSERT INTO history (revision, seq, key, type, value, create_rev, version, lease) VALUES ($rev, $seq, $key, $type, $value, $create, $version, $lease)",
            ("$rev", Revision),
            ("$seq", _nextSeq++),
            ("$key", key),
            ("$type", PutEvent),
            ("$value", value),
            ("$create", createRevision),
            ("$version", version),
            ("$lease", lease));
    }

    /// <summary>Deletes one key; false when it did not exist (which changes nothing).</summary>
    public bool Delete(string key) => DeleteWhere("key = $key", ("$key", key)) > 0;

    /// <summary>Deletes every key in [from, to) (to null: no upper bound); returns how many.</summary>
    public long DeleteRange(string from, string? to) => to is null
        ? DeleteWhere("key >= $from", ("$from", from))
        : DeleteWhere("key >= $from AND key < $to", ("$from", from), ("$to", to));

    public LeaseRow? FindLease(long lease)
    {
        using var command = _db.Command(_transaction, "SELECT ttl_ms, expires_at_unix_ms FROM leases WHERE id = $id", ("$id", lease));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new LeaseRow(lease, reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public long GrantLease(long ttlMs, long nowUnixMs)
    {
        var id = SqliteSchema.ReadMeta(_db, _transaction, SqliteSchema.LastLeaseKey) + 1;
        SqliteSchema.WriteMeta(_db, _transaction, SqliteSchema.LastLeaseKey, id);
        _db.Execute(
            _transaction,
            "INSERT INTO leases (id, ttl_ms, expires_at_unix_ms) VALUES ($id, $ttl, $expires)",
            ("$id", id),
            ("$ttl", ttlMs),
            ("$expires", nowUnixMs + ttlMs));
        return id;
    }

    public void RenewLease(LeaseRow lease, long nowUnixMs) =>
        _db.Execute(
            _transaction,
            "UPDATE leases SET expires_at_unix_ms = $expires WHERE id = $id",
            ("$id", lease.Id),
            ("$expires", nowUnixMs + lease.TtlMs));

    /// <summary>Ends a lease: deletes its keys (in this transaction's one revision) and its row.</summary>
    public void EndLease(long lease)
    {
        DeleteWhere("lease = $lease", ("$lease", lease));
        _db.Execute(_transaction, "DELETE FROM leases WHERE id = $id", ("$id", lease));
    }

    /// <summary>Discards history at or below <paramref name="revision"/>; watches from there on fail as compacted.</summary>
    public void CompactThrough(long revision)
    {
        _db.Execute(_transaction, "DELETE FROM history WHERE revision <= $rev", ("$rev", revision));
        _db.Execute(
            _transaction,
            "UPDATE meta SET value = $rev WHERE name = $name AND value < $rev",
            ("$name", SqliteSchema.CompactedKey),
            ("$rev", revision));
    }

    /// <summary>
    /// Records the new revision (and trims history beyond the kept revisions) when a key changed;
    /// returns whether one did. The group commit commits the SQLite transaction.
    /// </summary>
    public bool Finish()
    {
        if (Changed)
        {
            SqliteSchema.WriteMeta(_db, _transaction, SqliteSchema.RevisionKey, Revision);

            // Bounded history: keep the latest revisions only, in the same transaction as the write.
            var cut = Revision - _historyRevisions;
            if (cut > 0)
            {
                CompactThrough(cut);
            }
        }

        return Changed;
    }

    // Records a delete event per matching key, in key order, then deletes them: one statement each, so a
    // prefix delete of many keys stays cheap.
    private long DeleteWhere(string condition, params (string Name, object? Value)[] parameters)
    {
        var all = parameters.Append(("$rev", Revision)).Append(("$seq", _nextSeq)).ToArray();
        var recorded = _db.Execute(
            _transaction,
            $"""
            INSERT INTO history (revision, seq, key, type, value, create_rev, version, lease)
            SELECT $rev, $seq + row_number() OVER (ORDER BY key) - 1, key, {DeleteEvent}, x'', 0, 0, 0
            FROM kv WHERE {condition} ORDER BY key
            """,
            all);
        if (recorded == 0)
        {
            return 0;
        }

        _db.Execute(_transaction, $"DELETE FROM kv WHERE {condition}", parameters);
        _nextSeq += recorded;
        return recorded;
    }
}
