using Microsoft.Data.Sqlite;

namespace ZLayer.Control.Store.Sqlite;

/// <summary>Where a watch has read up to: the next change it wants is the first one after (Revision, Seq).</summary>
internal readonly record struct HistoryPosition(long Revision, long Seq)
{
    /// <summary>The position before every change of <paramref name="revision"/>.</summary>
    public static HistoryPosition Before(long revision) => new(revision, -1);
}

/// <summary>A slice of history: the events read, where to continue, and whether it reached the current revision.</summary>
internal sealed record HistoryBatch(IReadOnlyList<WatchEvent> Events, HistoryPosition Next, bool CaughtUp);

/// <summary>Reads the change history for watches, in (revision, op order), a bounded batch at a time.</summary>
internal static class HistoryReader
{
    /// <summary>
    /// The changes under [from, to) after <paramref name="position"/> (null: from the next revision on). Runs
    /// while the store's gate is held, so no commit interleaves: rows up to the current revision are
    /// complete, and a batch that comes back short has seen everything committed so far.
    /// </summary>
    public static HistoryBatch Read(SqliteConnection db, string from, string? to, HistoryPosition? position, int limit)
    {
        var current = SqliteSchema.ReadMeta(db, null, SqliteSchema.RevisionKey);
        var compacted = SqliteSchema.ReadMeta(db, null, SqliteSchema.CompactedKey);
        var after = position ?? HistoryPosition.Before(current + 1);

        // A revision at or below the compaction point may have lost rows: never deliver a history with gaps.
        if (after.Revision <= compacted)
        {
            throw new StoreCompactedException(after.Revision, compacted);
        }

        var sql = """
            SELECT revision, seq, key, type, value, create_rev, version, lease FROM history
            WHERE (revision, seq) > ($rev, $seq) AND revision <= $current AND key >= $from
            """ + (to is null ? string.Empty : " AND key < $to") + " ORDER BY revision, seq LIMIT $limit";
        using var command = db.Command(
            null,
            sql,
            ("$rev", after.Revision),
            ("$seq", after.Seq),
            ("$current", current),
            ("$from", from),
            ("$to", to),
            ("$limit", limit));
        var events = new List<WatchEvent>();
        var last = after;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var revision = reader.GetInt64(0);
                last = new HistoryPosition(revision, reader.GetInt64(1));
                var type = reader.GetInt64(3) == 0 ? WatchEventType.Put : WatchEventType.Delete;
                var kv = new KeyValue(reader.GetString(2), ReadBlob(reader, 4), reader.GetInt64(5), revision, reader.GetInt64(6), reader.GetInt64(7));
                events.Add(new WatchEvent(type, kv, revision));
            }
        }

        return events.Count < limit
            ? new HistoryBatch(events, HistoryPosition.Before(Math.Max(current + 1, after.Revision)), CaughtUp: true)
            : new HistoryBatch(events, last, CaughtUp: false);
    }

    public static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : (byte[])reader.GetValue(ordinal);
}
