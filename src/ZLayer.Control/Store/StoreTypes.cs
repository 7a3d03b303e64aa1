namespace ZLayer.Control.Store;

/// <summary>A key as stored: its value and the revisions that created and last modified it.</summary>
/// <param name="Version">How many times the key was written since it was created (1 on creation).</param>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision, long Version, long Lease);

public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision);

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>One change. For a delete, <see cref="KeyValue.Value"/> is empty and ModRevision is the deletion's revision.</summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, long Revision);

/// <summary>Holds when the key's mod revision equals <paramref name="ModRevision"/> (0: the key does not exist).</summary>
public sealed record TxnCompare(string Key, long ModRevision);

public abstract record TxnOp
{
    public sealed record Put(string Key, byte[] Value, long Lease = 0) : TxnOp;

    public sealed record Delete(string Key) : TxnOp;
}

public sealed record TxnResult(bool Succeeded, long Revision);

/// <summary>The store cannot take writes now (disk full, read-only, unreachable); nothing was changed.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A watch asked for history older than the store keeps; the watcher must re-read and watch from now.</summary>
public sealed class StoreCompactedException(long requested, long compacted)
    : Exception($"revision {requested} is compacted (history starts after {compacted}); re-read and watch from the current revision")
{
    public long Requested { get; } = requested;

    public long CompactedRevision { get; } = compacted;
}

public sealed class LeaseNotFoundException(long lease) : Exception($"lease {lease} not found or expired")
{
    public long Lease { get; } = lease;
}
