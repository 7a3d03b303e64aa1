using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ZLayer.Server.Auth;

/// <summary>
/// Decides who may call, in two steps around the rate limiter (which partitions by the caller the
/// first step found, so a flood of bad tokens is limited per address, not let through):
/// <see cref="UseApiAuthentication"/> establishes the <see cref="Authentication"/> of every
/// request, <see cref="UseApiAuthorization"/> refuses with 401 or 403 what the route's
/// <see cref="RoleRequirement"/> does not allow.
/// </summary>
public static class ApiAccessMiddleware
{
    /// <summary>The query parameter that carries a token where browsers cannot set headers.</summary>
    public const string QueryTokenParameter = "access_token";

    /// <summary>
    /// Clients of the Unix socket are admins without a token (the socket's mode is their
    /// credential); over TCP the token comes from <c>Authorization: Bearer</c>, or, on WebSocket
    /// upgrades and event streams only (browsers cannot set headers there), from the
    /// <c>access_token</c> query parameter. Query strings are never logged by the API for that reason.
    /// </summary>
    public static void UseApiAuthentication(this WebApplication app, TokenAuthority authority) =>
        app.Use(async (context, next) =>
        {
            context.Features.Set(await AuthenticateAsync(context, authority));
            await next(context);
        });

    public static void UseApiAuthorization(this WebApplication app) =>
        app.Use(async (context, next) =>
        {
            if (RoleRequirement.For(context) is not { } needed)
            {
                await next(context);
                return;
            }

            var authentication = context.Features.Get<Authentication>()
                ?? throw new InvalidOperationException("UseApiAuthorization runs after UseApiAuthentication");
            if (authentication.Caller is not { } caller)
            {
                context.Response.Headers.WWWAuthenticate = AuthProblems.Challenge(authentication);
                await ProblemResults.WriteAsync(context, AuthProblems.Unauthorized(authentication));
                return;
            }

            if (!caller.Role.Allows(needed))
            {
                await ProblemResults.WriteAsync(context, AuthProblems.Forbidden(caller, needed, context.Request.Method, context.Request.Path.Value ?? "/"));
                return;
            }

            await next(context);
        });

    /// <summary>The caller of a request that passed authentication; null before it, or when it failed.</summary>
    public static ApiCaller? Caller(this HttpContext context) => context.Features.Get<Authentication>()?.Caller;

    private static async Task<Authentication> AuthenticateAsync(HttpContext context, TokenAuthority authority)
    {
        if (IsLocalSocket(context))
        {
            return Authentication.Of(ApiCaller.LocalSocket);
        }

        var header = context.Request.Headers.Authorization;
        string? token;
        if (header.Count > 0)
        {
            var value = header.ToString();
            const string Scheme = "Bearer ";
            if (header.Count > 1 || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value.Length == Scheme.Length)
            {
                return Authentication.Refused(TokenRefusal.Malformed, "the daemon refused the token: malformed Authorization header (expected 'Bearer TOKEN')");
            }

            token = value[Scheme.Length..].Trim();
        }
        else
        {
            token = MayCarryQueryToken(context) ? context.Request.Query[QueryTokenParameter].FirstOrDefault() : null;
        }

        return string.IsNullOrEmpty(token)
            ? Authentication.Refused(TokenRefusal.Missing, "no token: requests over TCP need 'Authorization: Bearer TOKEN' (the CLI sends $ZLAYER_TOKEN; `zlayer token create` on the daemon's host makes one)")
            : await authority.ValidateAsync(token);
    }

    /// <summary>
    /// Kestrel fills the connection's addresses from IP endpoints only, so a connection without a
    /// local address is the Unix socket's (the API listens on nothing else). The request's own
    /// endpoint is not exposed to HTTP middleware; the addresses come from the accepted socket,
    /// which no header can change (forwarded-header middleware rewrites the remote address only).
    /// </summary>
    private static bool IsLocalSocket(HttpContext context) =>
        context.Connection.LocalIpAddress is null && context.Connection.RemoteIpAddress is null;

    private static bool MayCarryQueryToken(HttpContext context) =>
        context.WebSockets.IsWebSocketRequest ||
        context.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
}
