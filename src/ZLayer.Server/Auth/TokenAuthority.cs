using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ZLayer.Server.Auth;

/// <summary>
/// Issues the API's bearer tokens and checks them: JWTs signed with HS256 under the node's
/// <see cref="SigningKeyStore"/> key, carrying <c>jti</c> (the id revocation names), <c>role</c>
/// and <c>name</c>. A token is good when its signature, issuer and audience hold, it is in date,
/// and the <see cref="TokenLedger"/> knows its id and has not revoked it.
/// </summary>
public sealed class TokenAuthority
{
    public const string Issuer = "zlayer";

    public const string Audience = "zlayer-api";

    /// <summary>Tolerated difference between clocks; tokens are checked by the daemon that issued them, so little is needed.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private const string RoleClaim = "role";
    private const string NameClaim = "name";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _time;

    public TokenAuthority(byte[] key, TokenLedger ledger, TimeProvider time)
    {
        var securityKey = new SymmetricSecurityKey(key);
        _credentials = new SigningCredentials(securityKey, SecurityAlgorithms.HmacSha256);
        _time = time;
        Ledger = ledger;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = securityKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            ValidIssuer = Issuer,
            ValidAudience = Audience,

            // Checked below against the daemon's TimeProvider, so that tests and the refusal
            // message see the same clock the tokens were issued by.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
    }

    public TokenLedger Ledger { get; }

    /// <summary>Issues a token and records it in the ledger; its text is returned here only.</summary>
    public TokenCreated Issue(ApiRole role, TimeSpan ttl, string name)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

        // JWT times are whole seconds; the ledger keeps what the token says.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + TimeSpan.FromSeconds(Math.Ceiling(ttl.TotalSeconds));
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Jti] = id,
                [RoleClaim] = role.Name(),
                [NameClaim] = name,
            },
        });
        Ledger.Add(new TokenInfo(id, name, role, now, expires));
        return new TokenCreated(id, name, role, now, expires, token);
    }

    /// <summary>Checks a bearer token; the refusal says why in words a user can act on.</summary>
    public async Task<Authentication> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException =>
                    Refused(TokenRefusal.BadSignature, "bad signature (it was not issued by this daemon, or its signing key was replaced)"),
                SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException =>
                    Refused(TokenRefusal.Malformed, "malformed: not a zlayer API token (wrong issuer or audience)"),
                _ => Refused(TokenRefusal.Malformed, "malformed: not a JSON Web Token"),
            };
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var id) ||
            !jwt.TryGetPayloadValue<string>(RoleClaim, out var roleName) ||
            !ApiRoles.TryParse(roleName, out var role) ||
            !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _))
        {
            return Refused(TokenRefusal.Malformed, "malformed: it lacks an id, a known role or an expiry");
        }

        var now = _time.GetUtcNow();
        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (expires + ClockSkew <= now)
        {
            return Refused(TokenRefusal.Expired, $"expired at {Stamp(expires)}");
        }

        if (Ledger.Find(id) is not { } known)
        {
            return Refused(TokenRefusal.Unknown, $"unknown: this daemon has no token {id} (its ledger was removed, or the token expired long ago)");
        }

        if (known.RevokedAt is { } revokedAt)
        {
            return Refused(TokenRefusal.Revoked, $"revoked at {Stamp(revokedAt)}");
        }

        return Authentication.Of(new ApiCaller(role, id, known.Name));
    }

    private static Authentication Refused(TokenRefusal refusal, string why) =>
        Authentication.Refused(refusal, $"the daemon refused the token: {why}");

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
