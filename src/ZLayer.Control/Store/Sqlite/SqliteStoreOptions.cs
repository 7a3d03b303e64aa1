namespace ZLayer.Control.Store.Sqlite;

/// <summary>Tuning of the embedded store; the defaults suit a single-node daemon.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>
    /// How many of the latest revisions keep their change history for watches. A watch from an older
    /// revision gets <see cref="StoreCompactedException"/>; the bound keeps the file from growing forever.
    /// </summary>
    public long HistoryRevisions { get; init; } = 10_000;

    /// <summary>How often (on the store's clock) expired leases are looked for and their keys deleted.</summary>
    public TimeSpan LeaseSweepInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a statement waits for a lock held by a checkpoint before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (HistoryRevisions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryRevisions), HistoryRevisions, "at least one revision of history must be kept");
        }

        if (LeaseSweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseSweepInterval), LeaseSweepInterval, "the lease sweep interval must be positive");
        }

        if (BusyTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BusyTimeout), BusyTimeout, "the busy timeout cannot be negative");
        }
    }
}
