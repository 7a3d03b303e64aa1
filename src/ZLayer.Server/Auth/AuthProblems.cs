using Microsoft.AspNetCore.Http;

namespace ZLayer.Server.Auth;

/// <summary>The problem documents of refused requests: 401 names why the token failed, 403 which role was needed, 429 when to retry.</summary>
public static class AuthProblems
{
    private const string Urn = "urn:zlayer:problem:";

    /// <summary>The problem type of each refusal, stable for clients to switch on.</summary>
    public static string Type(TokenRefusal refusal) => Urn + refusal switch
    {
        TokenRefusal.Missing => "token-missing",
        TokenRefusal.Malformed => "token-malformed",
        TokenRefusal.BadSignature => "token-bad-signature",
        TokenRefusal.Expired => "token-expired",
        TokenRefusal.Revoked => "token-revoked",
        _ => "token-unknown",
    };

    public static ApiProblem Unauthorized(Authentication refused) => new(
        Type(refused.Refusal ?? TokenRefusal.Missing),
        "Unauthorized",
        StatusCodes.Status401Unauthorized,
        refused.Detail);

    public static ApiProblem Forbidden(ApiCaller caller, ApiRole needed, string method, string path) => new(
        Urn + "forbidden",
        "Forbidden",
        StatusCodes.Status403Forbidden,
        $"the token '{caller.Name}' has the {caller.Role.Name()} role, which cannot {method} {path}: that needs {needed.Name()}{(needed == ApiRole.Admin ? "" : " or higher")}");

    public static ApiProblem RateLimited(int retryAfterSeconds) => new(
        Urn + "rate-limited",
        "Too many requests",
        StatusCodes.Status429TooManyRequests,
        $"this client sent more requests than the daemon's rate limit allows; retry in {retryAfterSeconds} s");

    /// <summary>RFC 6750's challenge: <c>invalid_token</c> with the reason when a token was sent, the bare scheme when none was.</summary>
    public static string Challenge(Authentication refused) => refused.Refusal is null or TokenRefusal.Missing
        ? "Bearer realm=\"zlayer\""
        : $"Bearer realm=\"zlayer\", error=\"invalid_token\", error_description=\"{Type(refused.Refusal.Value)[Urn.Length..]}\"";
}
