using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ZLayer.Server.Auth;

/// <summary>
/// <c>/api/v1/tokens</c>: issue, list and revoke the API's bearer tokens; admin only, so from the
/// host's Unix socket or with an admin token.
/// </summary>
public static class TokenRoutes
{
    public const string Path = "/tokens";

    public static RouteGroupBuilder MapTokenRoutes(this RouteGroupBuilder api)
    {
        api.MapPost(Path, CreateAsync).RequireRole(ApiRole.Admin);

        api.MapGet(Path, (ApiSecurity security) => TypedResults.Ok(security.Tokens.Ledger.List())).RequireRole(ApiRole.Admin);

        api.MapDelete(Path + "/{id}", (string id, ApiSecurity security) =>
            TypedResults.Ok(security.Tokens.Ledger.Revoke(id)
                ?? throw ProblemResults.NotFound($"no token '{Truncate(id)}' (see `zlayer token ls`; expired tokens are dropped from the list)")))
            .RequireRole(ApiRole.Admin);
        return api;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiSecurity security, CancellationToken ct)
    {
        var body = await RequestBodies.ReadObjectAsync(context.Request, ct);
        RequestBodies.RejectUnknown(body, "role", "ttlSeconds", "name");
        var roleText = RequestBodies.RequiredString(body, "role", string.Join(", ", ApiRoles.Names));
        if (!ApiRoles.TryParse(roleText, out var role))
        {
            throw ProblemResults.BadRequest($"'{Truncate(roleText)}' is not a role: use {string.Join(", ", ApiRoles.Names)}", "$.role");
        }

        var ttl = Ttl(body);
        var name = RequestBodies.OptionalString(body, "name") ?? "unnamed";
        if (name.Length is 0 or > TokenRules.MaxNameLength || name.Any(char.IsControl))
        {
            throw ProblemResults.BadRequest($"'name' must be 1 to {TokenRules.MaxNameLength} characters without control characters", "$.name");
        }

        var created = security.Tokens.Issue(role, ttl, name);
        return TypedResults.Created($"{ApiPaths.V1}{Path}/{created.Id}", created);
    }

    private static TimeSpan Ttl(JsonElement body)
    {
        if (!body.TryGetProperty("ttlSeconds", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return TokenRules.DefaultTtl;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seconds))
        {
            throw ProblemResults.BadRequest($"'ttlSeconds' must be a whole number of seconds, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : RequestBodies.Describe(value.ValueKind))}", "$.ttlSeconds");
        }

        var ttl = seconds > 0 && seconds <= TokenRules.MaxTtl.TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        return ttl >= TokenRules.MinTtl
            ? ttl
            : throw ProblemResults.BadRequest($"'ttlSeconds' must be between {TokenRules.MinTtl.TotalSeconds:0} and {TokenRules.MaxTtl.TotalSeconds:0} ({TokenRules.MaxTtl.TotalDays:0} days), not {seconds}", "$.ttlSeconds");
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
