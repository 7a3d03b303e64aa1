using System.Net.Http.Headers;
using ZLayer.Server.Auth;

namespace ZLayer.Server.Tests;

/// <summary>Tokens of every kind the API must tell apart, made against a test daemon's own key and ledger.</summary>
public sealed class ApiTokens
{
    private ApiTokens(string viewer, string @operator, string admin, string expired, string revoked, string badSignature)
    {
        Viewer = viewer;
        Operator = @operator;
        Admin = admin;
        Expired = expired;
        Revoked = revoked;
        BadSignature = badSignature;
    }

    public string Viewer { get; }

    public string Operator { get; }

    public string Admin { get; }

    /// <summary>An admin token, signed with the daemon's key, that expired an hour ago.</summary>
    public string Expired { get; }

    /// <summary>An admin token, signed with the daemon's key, revoked.</summary>
    public string Revoked { get; }

    /// <summary>An admin token in every way but its signature, made with another key.</summary>
    public string BadSignature { get; }

    public static ApiTokens For(TestDaemon daemon)
    {
        var authority = daemon.Security.Tokens;
        var revoked = authority.Issue(ApiRole.Admin, TimeSpan.FromHours(1), "revoked");
        authority.Ledger.Revoke(revoked.Id);

        var key = SigningKeyStore.LoadOrCreate(daemon.Directory);
        var past = new TokenAuthority(key, authority.Ledger, new ShiftedTime(TimeSpan.FromHours(-2)));
        var expired = past.Issue(ApiRole.Admin, TimeSpan.FromHours(1), "expired");

        var elsewhere = Directory.CreateTempSubdirectory("zls-key-").FullName;
        try
        {
            var stranger = new TokenAuthority(SigningKeyStore.LoadOrCreate(elsewhere), TokenLedger.Open(elsewhere, TimeProvider.System), TimeProvider.System);
            return new ApiTokens(
                authority.Issue(ApiRole.Viewer, TimeSpan.FromHours(1), "viewer").Token,
                authority.Issue(ApiRole.Operator, TimeSpan.FromHours(1), "operator").Token,
                authority.Issue(ApiRole.Admin, TimeSpan.FromHours(1), "admin").Token,
                expired.Token,
                revoked.Token,
                stranger.Issue(ApiRole.Admin, TimeSpan.FromHours(1), "stranger").Token);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    public string For(ApiRole role) => role switch
    {
        ApiRole.Viewer => Viewer,
        ApiRole.Operator => Operator,
        _ => Admin,
    };

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>The system clock moved by a fixed offset: tokens issued "in the past".</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
