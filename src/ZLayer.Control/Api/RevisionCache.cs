namespace ZLayer.Control.Api;

/// <summary>
/// Keeps one computed read of the store for as long as the store's revision stays the same: every
/// write makes a new revision, so an unchanged revision means the same answer. Dashboards and
/// scripts poll the same lists many times a second, and most polls find nothing changed.
/// </summary>
public sealed class RevisionCache<T>
    where T : class
{
    private Entry? _entry;

    /// <summary>
    /// The value for <paramref name="revision"/>, read by <paramref name="compute"/> when the cached
    /// one is older. The revision must be read before the value is: a write landing in between then
    /// makes the cached value newer than its key, never older, and the next read replaces it.
    /// </summary>
    public async Task<T> GetAsync(long revision, Func<Task<T>> compute)
    {
        if (Volatile.Read(ref _entry) is { } entry && entry.Revision == revision)
        {
            return entry.Value;
        }

        var value = await compute();
        Volatile.Write(ref _entry, new Entry(revision, value));
        return value;
    }

    private sealed record Entry(long Revision, T Value);
}
