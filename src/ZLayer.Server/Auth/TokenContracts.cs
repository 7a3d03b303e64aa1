namespace ZLayer.Server.Auth;

// The bodies of the token routes; the CLI reads the same types.

/// <summary>A token the daemon issued, as the ledger keeps it and <c>GET /api/v1/tokens</c> lists it (never the token itself).</summary>
/// <param name="Id">The token's <c>jti</c>: what <c>DELETE /api/v1/tokens/{id}</c> revokes.</param>
/// <param name="Name">What the token is for, as its creator named it.</param>
/// <param name="RevokedAt">When it was revoked; null while it is valid.</param>
public sealed record TokenInfo(string Id, string Name, ApiRole Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt = null);

/// <summary>Body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Role">viewer, operator or admin.</param>
/// <param name="TtlSeconds">How long the token is valid; <see cref="TokenRules.DefaultTtl"/> when absent.</param>
/// <param name="Name">What the token is for (shown by <c>zlayer token ls</c>); "unnamed" when absent.</param>
public sealed record TokenCreateRequest(string? Role, long? TtlSeconds = null, string? Name = null);

/// <summary>Answer to <c>POST /api/v1/tokens</c>: the only time the token's text is seen.</summary>
public sealed record TokenCreated(string Id, string Name, ApiRole Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Token);

/// <summary>The limits of what a token may be.</summary>
public static class TokenRules
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromDays(30);

    /// <summary>The longest a token may live: long-lived credentials leak; a year is enough for a CI secret's rotation.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(366);

    public static readonly TimeSpan MinTtl = TimeSpan.FromSeconds(1);

    public const int MaxNameLength = 100;
}
