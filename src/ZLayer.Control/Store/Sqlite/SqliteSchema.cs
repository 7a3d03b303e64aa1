using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>
/// The file's layout and connection settings. Tables:
/// <c>kv</c> the live keys; <c>history</c> one row per change, kept for watches back to the compaction
/// point; <c>leases</c> with their absolute expiry so they survive a restart; <c>meta</c> the counters.
/// </summary>
internal static class SqliteSchema
{
    public const long Version = 1;

    /// <summary>The revision of the last committed write.</summary>
    public const string RevisionKey = "revision";

    /// <summary>History at or below this revision has been discarded.</summary>
    public const string CompactedKey = "compacted";

    /// <summary>The last lease id handed out; ids are never reused, so a stale holder cannot renew a new lease.</summary>
    public const string LastLeaseKey = "last_lease";

    public const string SchemaKey = "schema";

    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS meta (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS kv (
            key        TEXT PRIMARY KEY,
            value      BLOB NOT NULL,
            create_rev INTEGER NOT NULL,
            mod_rev    INTEGER NOT NULL,
            version    INTEGER NOT NULL,
            lease      INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS kv_by_lease ON kv (lease) WHERE lease <> 0;
        CREATE TABLE IF NOT EXISTS history (
            revision   INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            key        TEXT NOT NULL,
            type       INTEGER NOT NULL,
            value      BLOB NOT NULL,
            create_rev INTEGER NOT NULL,
            version    INTEGER NOT NULL,
            lease      INTEGER NOT NULL,
            PRIMARY KEY (revision, seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS leases (
            id                 INTEGER PRIMARY KEY,
            ttl_ms             INTEGER NOT NULL,
            expires_at_unix_ms INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS leases_by_expiry ON leases (expires_at_unix_ms);
        INSERT OR IGNORE INTO meta (name, value) VALUES
            ('revision', 0), ('compacted', 0), ('last_lease', 0), ('schema', 1);
        """;

    /// <summary>Sets the connection up (WAL, fsync on every commit) and creates the tables when missing.</summary>
    public static void Initialize(SqliteConnection db, string path, TimeSpan busyTimeout)
    {
        db.Execute(null, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");

        // WAL lets a commit be one append plus one fsync, and a crash at any point is recovered on open.
        using (var command = db.Command(null, "PRAGMA journal_mode = WAL"))
        {
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StoreUnavailableException($"the store at {path} cannot be used: its file system does not support SQLite's WAL mode (got '{mode}')");
            }
        }

        // FULL: the WAL is fsynced on each commit, so a write that returned survives a power loss too.
        db.Execute(null, "PRAGMA synchronous = FULL");

        using var transaction = db.BeginTransaction();
        db.Execute(transaction, CreateTables);
        var schema = db.Int64OrNull(transaction, "SELECT value FROM meta WHERE name = $name", ("$name", SchemaKey));
        if (schema != Version)
        {
            throw new StoreUnavailableException($"the store at {path} has schema version {schema}, but this build reads version {Version}; use a matching zlayer");
        }

        transaction.Commit();
    }

    public static long ReadMeta(SqliteConnection db, SqliteTransaction? transaction, string name) =>
        db.Int64OrNull(transaction, "SELECT value FROM meta WHERE name = $name", ("$name", name))
        ?? throw new InvalidOperationException($"the store's meta table lacks '{name}'");

    public static void WriteMeta(SqliteConnection db, SqliteTransaction transaction, string name, long value) =>
        db.Execute(transaction, "UPDATE meta SET value = $value WHERE name = $name", ("$name", name), ("$value", value));
}
