namespace ZLayer.Control.Store.Sqlite;

/// <summary>A lease as stored: its TTL and the absolute time it ends unless renewed.</summary>
internal sealed record LeaseRow(long Id, long TtlMs, long ExpiresAtUnixMs)
{
    public bool HasExpired(long nowUnixMs) => ExpiresAtUnixMs <= nowUnixMs;
}
