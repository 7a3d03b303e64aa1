namespace ZLayer.Server.Auth;

/// <summary>Who sent a request, as authentication established it; kept in the request's features.</summary>
/// <param name="TokenId">The token's id; null for the local socket, which needs no token.</param>
/// <param name="Name">The token's name, or "local socket".</param>
public sealed record ApiCaller(ApiRole Role, string? TokenId, string Name)
{
    /// <summary>A client of the Unix socket: the socket's mode (owner and group) is its credential.</summary>
    public static readonly ApiCaller LocalSocket = new(ApiRole.Admin, null, "local socket");
}

/// <summary>Why a request over TCP has no caller: the reason the 401 names.</summary>
public enum TokenRefusal
{
    Missing,
    Malformed,
    BadSignature,
    Expired,
    Revoked,
    Unknown,
}

/// <summary>What authentication concluded about one request: a caller, or the refusal with its detail.</summary>
public sealed record Authentication(ApiCaller? Caller, TokenRefusal? Refusal = null, string? Detail = null)
{
    public static Authentication Of(ApiCaller caller) => new(caller);

    public static Authentication Refused(TokenRefusal refusal, string detail) => new(null, refusal, detail);
}
